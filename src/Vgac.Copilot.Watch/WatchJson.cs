using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Watch;

/// <summary>JSON of the cycle's records and report: snake_case, nulls left out, source-generated, on top of the action records' types.</summary>
public static class WatchJson
{
    /// <summary>The cycle's record types, in front of the action records'.</summary>
    public static RecordJson Records { get; } = new(JsonTypeInfoResolver.Combine(WatchJsonContext.Default, ActionsJson.Records.Resolver));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CycleReport))]
[JsonSerializable(typeof(ObservationSnapshot))]
internal sealed partial class WatchJsonContext : JsonSerializerContext;
