using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>
/// JSON of the action records the trail keeps (proposals, decisions, starts, outcomes, verifications, calibration
/// audits, the trail check's report) and of <c>--format json</c>: snake_case, nulls left out, source-generated.
/// </summary>
public static class ActionsJson
{
    /// <summary>The action records' types, in front of the trail's.</summary>
    public static RecordJson Records { get; } = new(JsonTypeInfoResolver.Combine(ActionsJsonContext.Default, AuditJson.Records.Resolver));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExecutionRecord))]
[JsonSerializable(typeof(ToolCallRecord))]
[JsonSerializable(typeof(ExecutionOutcome))]
[JsonSerializable(typeof(ExecutionRequest))]
[JsonSerializable(typeof(ProposalRecord))]
[JsonSerializable(typeof(ActionProposal))]
[JsonSerializable(typeof(ApplyResult))]
[JsonSerializable(typeof(VerificationRecord))]
[JsonSerializable(typeof(DecisionRecord))]
[JsonSerializable(typeof(ExecutionStart))]
[JsonSerializable(typeof(CalibrationSnapshot))]
[JsonSerializable(typeof(AuditCheckReport))]
internal sealed partial class ActionsJsonContext : JsonSerializerContext;
