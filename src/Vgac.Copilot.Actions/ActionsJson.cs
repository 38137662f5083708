using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>
/// JSON of the action records the trail keeps (proposals, decisions, starts, outcomes, verifications, calibration
/// audits, the trail check's report) and of <c>--format json</c>: snake_case, nulls left out, source-generated.
/// </summary>
public static class ActionsJson
{
    /// <summary>These types and the trail's, for a layer whose own context comes first.</summary>
    public static IJsonTypeInfoResolver Resolver { get; } = JsonTypeInfoResolver.Combine(ActionsJsonContext.Default, AuditJson.Resolver);

    // After the resolver: static properties are set in the order they are written.
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

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

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = Resolver,
        };
        options.MakeReadOnly();
        return options;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExecutionRecord))]
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
