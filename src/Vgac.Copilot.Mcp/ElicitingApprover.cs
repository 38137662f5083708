using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Mcp;

/// <summary>How the callers of this MCP server are known (a token's holder over HTTP, the OS user who started a stdio server).</summary>
/// <param name="Description">One phrase, recorded with every confirmation.</param>
public sealed record McpCaller(string Description)
{
    /// <summary>The client as a record names it (its name and version, made inert), and its session (<c>stdio</c> without one).</summary>
    public static (string Client, string Session) Of(McpServer server) => (
        server.ClientInfo is { } info ? $"{Core.Text.UntrustedText.Clean(info.Name, 64)} {Core.Text.UntrustedText.Clean(info.Version, 32)}" : "an unnamed client",
        Core.Text.UntrustedText.Clean(server.SessionId ?? "stdio", 64));
}

/// <summary>
/// Asks the person behind the MCP client to confirm an action, through elicitation. A client that cannot elicit
/// never gets a silent yes: its request waits in the approval queue for a person to decide there. A confirmation names who gave it (the client's name and version, its session,
/// and how callers are known), and that goes into the trail with the approval.
/// </summary>
public sealed class ElicitingApprover(McpCaller? caller = null) : IActionApprover
{
    public const string ConfirmField = "confirm";

    public async Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken)
    {
        var server = requestServices?.GetService<McpServer>();
        if (server?.ClientCapabilities?.Elicitation is null)
        {
            return ApprovalDecision.Queue("the MCP client cannot ask its user to confirm (it does not support elicitation)");
        }

        // Shown to a person by the client: nothing from VGAC in it may carry control characters.
        var message = Core.Text.UntrustedText.Clean(string.Create(CultureInfo.InvariantCulture,
            $"VGAC Copilot asks to {proposal.Action} job {proposal.JobId} (tier {proposal.Tier}): {proposal.Reason} Effect ({proposal.PreviewKind}): {proposal.Preview}"));
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = message,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    [ConfirmField] = new ElicitRequestParams.BooleanSchema { Title = "Run this action?", Description = "Leave unchecked to refuse.", Default = false },
                },
                Required = [ConfirmField],
            },
        }, cancellationToken).ConfigureAwait(false);

        var confirmed = result.IsAccepted
            && result.Content is { } content
            && content.TryGetValue(ConfirmField, out var value)
            && value.ValueKind == System.Text.Json.JsonValueKind.True;
        var (client, session) = McpCaller.Of(server);
        var who = $"through the MCP client {client} (session {session}{(caller is null ? "" : $", {caller.Description}")})";
        return confirmed
            ? new ApprovalDecision(true, $"confirmed by the user {who}")
            : ApprovalDecision.Denied($"The user did not confirm (elicitation {result.Action}).");
    }
}
