using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Vgac.Copilot.Audit;

/// <summary>
/// JSON of the trail's own records (exports, checkpoints, the outcome a reservation reads): snake_case and
/// source-generated. The layers above put their payloads' types in front of it (<see cref="Resolver"/>).
/// </summary>
public static class AuditJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The trail's types, for a layer whose own context comes first.</summary>
    public static IJsonTypeInfoResolver Resolver => AuditJsonContext.Default;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = AuditJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The value, or null when the text is not JSON of that shape (a payload is untrusted).</summary>
    public static T? Deserialize<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

/// <summary>The one field of an execution record a reservation reads: its state (executed, interrupted, failed, ...).</summary>
internal sealed record OutcomeState(string? State);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(ExportRecord))]
[JsonSerializable(typeof(Checkpoint))]
[JsonSerializable(typeof(OutcomeState))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
