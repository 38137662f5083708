using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// JSON of records the copilot keeps and shows (trail payloads, <c>--format json</c>): snake_case, nulls left out,
/// only the source-generated types of <paramref name="resolver"/>, and a payload that is not JSON of the asked shape
/// read as nothing (a stored payload is untrusted). Each layer makes one over its own context and the layers below.
/// </summary>
public sealed class RecordJson(IJsonTypeInfoResolver resolver)
{
    public IJsonTypeInfoResolver Resolver => resolver;

    public JsonSerializerOptions Options { get; } = Create(resolver);

    public string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    /// <summary>The value, or null when the text is not JSON of that shape.</summary>
    public T? Deserialize<T>(string json)
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

    private static JsonSerializerOptions Create(IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }
}
