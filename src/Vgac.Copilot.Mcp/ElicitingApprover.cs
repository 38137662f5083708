using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Mcp;

/// <summary>
/// Asks the person behind the MCP client to confirm an action, through elicitation. A client that cannot elicit
/// gets a denial, never a silent yes.
/// </summary>
public sealed class ElicitingApprover : IActionApprover
{
    public const string ConfirmField = "confirm";

    public async Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken)
    {
        var server = requestServices?.GetService<McpServer>();
        if (server?.ClientCapabilities?.Elicitation is null)
        {
            return ApprovalDecision.Denied("The MCP client cannot ask the user to confirm (no elicitation support), so the action was not run.");
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
        return confirmed
            ? new ApprovalDecision(true, "confirmed by the user through the MCP client")
            : ApprovalDecision.Denied($"The user did not confirm (elicitation {result.Action}).");
    }
}
