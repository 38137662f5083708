using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Text;
using YamlDotNet.Core;

namespace Vgac.Copilot.Evals.Cases;

/// <summary>Reads the YAML suites under <c>evals/suites/</c>; a malformed file is an error naming it and the line.</summary>
public static partial class SuiteLoader
{

    public static IReadOnlyList<EvalSuite> Load(string folder, string? only = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No eval suites at '{folder}'.");
        }

        var suites = new List<EvalSuite>();
        foreach (var file in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            EvalSuite suite;
            try
            {
                suite = Parse(file);
            }
            catch (YamlException ex)
            {
                throw new InvalidDataException($"{file}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
            }

            suite.File = file;
            if (string.IsNullOrWhiteSpace(suite.Suite))
            {
                suite.Suite = Path.GetFileNameWithoutExtension(file);
            }

            var duplicate = suite.Cases.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidDataException($"{file}: case id '{duplicate.Key}' is used twice.");
            }

            foreach (var (where, clusters) in new[] { ("the suite", suite.Clusters) }.Concat(suite.Cases.Where(c => c.Clusters is not null).Select(c => ($"case '{c.Id}'", c.Clusters!))))
            {
                if (clusters.Count == 1 || clusters.Keys.Any(k => !ClusterName().IsMatch(k)))
                {
                    throw new InvalidDataException($"{file}: {where}: clusters needs two or more entries, each a lower-case DNS-1123 name with its cassette (eks: calm).");
                }
            }

            if (only is null || string.Equals(suite.Suite, only, StringComparison.OrdinalIgnoreCase))
            {
                suites.Add(suite);
            }
        }

        return only is not null && suites.Count == 0 ? throw new InvalidDataException($"No suite named '{only}' in {folder}.") : suites;
    }

    private static string Explain(string message) => message switch
    {
        _ when UnknownField().Match(message) is { Success: true } m => $"unknown field '{m.Groups[1].Value}'",
        _ when message.Contains("Int32", StringComparison.Ordinal) || message.Contains("Int64", StringComparison.Ordinal) => "expected a whole number",
        _ when message.Contains("Double", StringComparison.Ordinal) => "expected a number",
        _ when message.Contains("Boolean", StringComparison.Ordinal) => "expected true or false",
        _ when message.Contains("List`1", StringComparison.Ordinal) => "expected a list",
        _ when message.Contains("expected text", StringComparison.Ordinal) || message.Contains("String", StringComparison.Ordinal) => "expected text",
        _ => "expected a value of another kind",
    };

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex ClusterName();

    [System.Text.RegularExpressions.GeneratedRegex("JSON property '([^']*)' could not be mapped")]
    private static partial System.Text.RegularExpressions.Regex UnknownField();

    /// <summary>One suite file: YAML read as a document, bound field by field (unknown fields refused), errors by line.</summary>
    private static EvalSuite Parse(string file)
    {
        var (root, lines) = YamlJson.Read(File.ReadAllText(file));
        try
        {
            return root?.Deserialize(SuiteJson.Default.EvalSuite) ?? throw new InvalidDataException($"{file}: empty suite.");
        }
        catch (JsonException ex)
        {
            // The deepest path the binder names that the file has: its line, and the field in the suite's own words.
            var path = ex.Path ?? "$";
            while (!lines.ContainsKey(path) && path.Length > 1)
            {
                path = path[..Math.Max(1, path.LastIndexOfAny(['.', '[']))];
            }

            var line = lines.TryGetValue(path, out var mark) ? $"line {mark.Line}, column {mark.Column}: " : "";
            throw new InvalidDataException($"{file}: {line}{(ex.Path is { } p ? $"{p.TrimStart('$', '.')}: " : "")}{Explain(ex.Message)}", ex);
        }
    }
}

/// <summary>The suite files' fields: snake_case, unknown fields refused, a plain number or boolean read as text where text is wanted.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, Converters = [typeof(ScalarText)])]
[JsonSerializable(typeof(EvalSuite))]
internal sealed partial class SuiteJson : JsonSerializerContext;

/// <summary>YAML has no separate text type for <c>id: 42</c> or <c>- true</c>: where the suite wants text, any scalar is its text.</summary>
internal sealed class ScalarText : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException("expected text"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>A mapping's keys (a case's cluster names) are text as they stand.</summary>
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
}
