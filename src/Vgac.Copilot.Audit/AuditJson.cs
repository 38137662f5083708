using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit;

/// <summary>
/// JSON of the trail's own records (exports, checkpoints, the outcome a reservation reads): snake_case and
/// source-generated. The layers above put their payloads' types in front of it.
/// </summary>
public static class AuditJson
{
    /// <summary>The trail's own record types; the layers above put theirs in front (<see cref="RecordJson.Resolver"/>).</summary>
    public static RecordJson Records { get; } = new(AuditJsonContext.Default);
}

/// <summary>The one field of an execution record a reservation reads: its state (executed, interrupted, failed, ...).</summary>
internal sealed record OutcomeState(string? State);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(ExportRecord))]
[JsonSerializable(typeof(Checkpoint))]
[JsonSerializable(typeof(OutcomeState))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
