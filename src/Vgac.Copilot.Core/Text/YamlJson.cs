using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// A YAML document as JSON, so it binds through source-generated JSON (no reflection; the program may be compiled
/// natively). Scalars follow YAML's core schema: a plain <c>true</c>/<c>false</c>, number or <c>null</c>/<c>~</c> is
/// that JSON value, anything quoted stays text. Each JSON path remembers where its node began in the file, so a value
/// of the wrong kind is reported by line.
/// </summary>
public static class YamlJson
{
    /// <summary>The first document, with the line each JSON path began on.</summary>
    public static (JsonNode? Root, Dictionary<string, Mark> Lines) Read(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var lines = new Dictionary<string, Mark>(StringComparer.Ordinal);
        return stream.Documents.Count == 0 ? (null, lines) : (Convert(stream.Documents[0].RootNode, "$", lines), lines);
    }

    /// <summary>Every document of a multi-document stream (<c>---</c> between them), in order; an empty one is null.</summary>
    public static IReadOnlyList<JsonNode?> ReadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var lines = new Dictionary<string, Mark>(StringComparer.Ordinal);
        return [.. stream.Documents.Select(d => Convert(d.RootNode, "$", lines))];
    }

    private static JsonNode? Convert(YamlNode node, string path, Dictionary<string, Mark> lines)
    {
        lines[path] = node.Start;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? throw new YamlException(key.Start, key.End, "a key must be plain text");
                    obj[name] = Convert(value, $"{path}.{name}", lines);
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                for (var i = 0; i < list.Children.Count; i++)
                {
                    array.Add(Convert(list.Children[i], $"{path}[{i}]", lines));
                }

                return array;
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: var plain }:
                return plain switch
                {
                    null or "" or "~" or "null" or "Null" or "NULL" => null,
                    "true" or "True" or "TRUE" => JsonValue.Create(true),
                    "false" or "False" or "FALSE" => JsonValue.Create(false),
                    _ when long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
                    _ when double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => JsonValue.Create(number),
                    _ => JsonValue.Create(plain),
                };
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                throw new YamlException(node.Start, node.End, $"unsupported YAML node ({node.NodeType})");
        }
    }
}
