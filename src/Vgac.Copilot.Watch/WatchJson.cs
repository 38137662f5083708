using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Watch.Actions;
using Vgac.Copilot.Watch.Executors;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch;

/// <summary>JSON for audit payloads and <c>--format json</c>: snake_case, source-generated, on top of the plugins' types.</summary>
public static class WatchJson
{
    public static JsonSerializerOptions Options { get; } = new(PluginJson.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(WatchJsonContext.Default, PluginJson.Options.TypeInfoResolver),
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(CycleReport))]
[JsonSerializable(typeof(ExecutionRecord))]
[JsonSerializable(typeof(ExecutionOutcome))]
[JsonSerializable(typeof(ExecutionRequest))]
[JsonSerializable(typeof(ProposalRecord))]
[JsonSerializable(typeof(ActionProposal))]
[JsonSerializable(typeof(VerificationRecord))]
[JsonSerializable(typeof(DecisionRecord))]
[JsonSerializable(typeof(ExecutionStart))]
[JsonSerializable(typeof(CalibrationSnapshot))]
[JsonSerializable(typeof(AuditCheckReport))]
[JsonSerializable(typeof(ExportRecord))]
[JsonSerializable(typeof(Checkpoint))]
internal sealed partial class WatchJsonContext : JsonSerializerContext;
