using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Clusters;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Mcp;

/// <summary>
/// Who called what, for every MCP tool call: the tool, its arguments (secrets masked, cleaned, capped), the caller
/// (the token's subject when a bearer identity is known, else how this server's callers are known), the client and
/// session, the outcome and the guards' verdict, and the time it took. Each call is a structured log event and a span
/// (<c>tools/call</c>); a call that proposes or runs an action also goes into the audit trail (kind <c>tool_call</c>,
/// read with <c>vgac audit --tool-calls</c>).
/// </summary>
public sealed partial class ToolCallRecorder(ILogger<ToolCallRecorder> logger, IServiceProvider services, McpCaller? caller = null)
{
    /// <summary>The longest argument text recorded.</summary>
    public const int MaxArguments = 1024;

    /// <summary>The tools whose calls go into the audit trail: those that propose or run an action.</summary>
    public static readonly IReadOnlySet<string> Trailed = new HashSet<string>(StringComparer.Ordinal) { ToolNames.ActorProposeAction, ToolNames.ActorApplyAction };

    public async ValueTask<CallToolResult> RecordAsync(
        RequestContext<CallToolRequestParams> context, McpRequestHandler<CallToolRequestParams, CallToolResult> next, CancellationToken cancellationToken)
    {
        var tool = UntrustedText.Clean(context.Params?.Name ?? "(none)", 64);
        var server = context.Server;
        var who = Identity(context);
        var (client, session) = McpCaller.Of(server);
        var arguments = Arguments(context.Params?.Arguments);
        using var span = CopilotTelemetry.Source.StartActivity($"tools/call {tool}", ActivityKind.Server);
        span?.SetTag("mcp.method.name", "tools/call");
        span?.SetTag("gen_ai.tool.name", tool);
        span?.SetTag("mcp.session.id", session);
        span?.SetTag("vgac.caller", who);
        span?.SetTag("vgac.client", client);
        var started = Stopwatch.GetTimestamp();
        var outcome = "cancelled"; // unless the call answers or fails otherwise
        string? verdict = null;
        CallToolResult? result = null;
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
            (outcome, verdict) = Outcome(result);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outcome = $"failed: {UntrustedText.Clean(ex.Message, 200)}";
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            span?.SetTag("vgac.outcome", outcome);
            span?.SetTag("vgac.verdict", verdict);
            if (result?.IsError == true || outcome.StartsWith("failed", StringComparison.Ordinal))
            {
                span?.SetStatus(ActivityStatusCode.Error, outcome);
            }

            LogCall(logger, tool, who, client, session, outcome, verdict ?? "none", elapsed, arguments);
            if (Trailed.Contains(tool))
            {
                await TrailAsync(new ToolCallRecord(tool, arguments, who, client, session, outcome, verdict, Math.Round(elapsed, 1)), context.Params?.Arguments).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The caller: the bearer token's subject when the request carried an identity, else how callers of this server are known.</summary>
    private string Identity(RequestContext<CallToolRequestParams> context)
    {
        var user = context.User;
        if (user?.Identity?.IsAuthenticated == true)
        {
            var subject = user.FindFirst("sub")?.Value ?? user.Identity.Name;
            if (subject is { Length: > 0 })
            {
                return $"subject {UntrustedText.Clean(subject, 128)}";
            }
        }

        return caller?.Description ?? "not known (a server started without a caller description)";
    }

    private string Arguments(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return "{}";
        }

        var text = JsonSerializer.Serialize(arguments, McpJson.Default.IDictionaryStringJsonElement);
        return UntrustedText.Clean(services.GetService<SecretRedactor>()?.Redact(text) ?? text, MaxArguments);
    }

    /// <summary>What came of the call, and the guards' verdict where the result carries one (an action's outcome, a proposal's rule).</summary>
    private static (string Outcome, string? Verdict) Outcome(CallToolResult result)
    {
        if (result.IsError == true)
        {
            var text = result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text ?? "";
            return ($"error: {UntrustedText.Clean(text, 200)}", null);
        }

        if (result.StructuredContent is not JsonElement { ValueKind: JsonValueKind.Object } structured)
        {
            return ("ok", null);
        }

        string? Text(string name) => structured.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? UntrustedText.Clean(v.GetString(), 120) : null;
        var allowed = structured.TryGetProperty("allowed", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : (bool?)null;
        var verdict = allowed is { } yes && Text("rule") is { } rule ? $"{(yes ? "allowed" : "blocked")} by {rule}" : null;
        return (Text("outcome") ?? "ok", verdict);
    }

    private async Task TrailAsync(ToolCallRecord record, IDictionary<string, JsonElement>? arguments)
    {
        try
        {
            var audit = services.GetService<AuditStore>();
            if (audit is null)
            {
                return;
            }

            string? Argument(string name) => arguments is not null && arguments.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            int? tier = arguments is not null && arguments.TryGetValue("tier", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) ? n : null;
            var job = Argument("job_id") is { } id ? UntrustedText.Clean(id, 128) : null;
            // The cluster the call named, when it is one this server serves (the tool refused any other); else the current one.
            var store = Argument("cluster") is { Length: > 0 } cluster && services.GetService<IClusterDirectory>()?.Has(cluster) == true
                ? audit.ForCluster(cluster)
                : audit;
            var now = services.GetService<WatchClock>()?.Now ?? DateTimeOffset.UtcNow;
            var summary = string.Create(CultureInfo.InvariantCulture, $"{record.Tool} by {record.Caller} via {record.Client}: {record.Outcome}{(record.Verdict is null ? "" : $" ({record.Verdict})")}");
            await store.AppendAsync([new AuditEvent(0, now, ActionQueue.OutsideTheLoop, AuditKind.ToolCall, job, tier, null, summary, ActionsJson.Records.Serialize(record))], CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Audit.Storage.AuditStoreException or IOException or InvalidOperationException)
        {
            // The call has its answer already; a trail that cannot be written is said in the log, and the log event stands.
            TrailFailed(logger, record.Tool, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "MCP tool call {Tool} by {Caller} via {Client} (session {Session}): {Outcome}, verdict {Verdict}, {ElapsedMs:0.0} ms; arguments {Arguments}")]
    private static partial void LogCall(ILogger logger, string tool, string caller, string client, string session, string outcome, string verdict, double elapsedMs, string arguments);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "MCP tool call {Tool} could not be recorded in the audit trail: {Reason}")]
    private static partial void TrailFailed(ILogger logger, string tool, string reason);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class McpJson : System.Text.Json.Serialization.JsonSerializerContext;
