using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Watch;

/// <summary>JSON of the cycle's report and <c>--format json</c>: snake_case, source-generated, on top of the action records' and the tools' types.</summary>
public static class WatchJson
{
    public static JsonSerializerOptions Options { get; } = new(PluginJson.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(WatchJsonContext.Default, ActionsJson.Resolver, PluginJson.Options.TypeInfoResolver),
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
[JsonSerializable(typeof(CycleReport))]
internal sealed partial class WatchJsonContext : JsonSerializerContext;
