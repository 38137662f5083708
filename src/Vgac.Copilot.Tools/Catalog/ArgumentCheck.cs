using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// Checks arguments against the tool's own JSON schema before binding, so a wrong call gets a sentence naming
/// the argument: unknown names, missing required ones, and values of the wrong JSON type.
/// </summary>
internal static class ArgumentCheck
{
    /// <summary>Longest string argument accepted: ids, names and value lists are far shorter; nothing longer is forwarded.</summary>
    public const int MaxStringChars = 512;

    /// <summary>Largest structured argument (a batch of job specs), as JSON text.</summary>
    public const int MaxStructuredChars = 64 * 1024;

    public static string? Problem(string tool, JsonElement schema, AIFunctionArguments arguments)
    {
        foreach (var (name, value) in arguments)
        {
            var (length, limit) = value switch
            {
                string s => (s.Length, MaxStringChars),
                JsonElement { ValueKind: JsonValueKind.String } e => (e.GetString()!.Length, MaxStringChars),
                JsonElement { ValueKind: JsonValueKind.Array or JsonValueKind.Object } e => (e.GetRawText().Length, MaxStructuredChars),
                _ => (0, 1),
            };
            if (length > limit)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{tool}: argument {Echo(name)} is {length:N0} characters long; at most {limit:N0} are accepted.");
            }
        }

        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var known = properties.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var (name, value) in arguments)
        {
            if (!properties.TryGetProperty(name, out var property))
            {
                return $"{tool} has no argument {Echo(name)}{Guess(name, known)}; its arguments are: {(known.Count == 0 ? "none" : string.Join(", ", known))}.";
            }

            if (Expected(property) is { } expected && value is JsonElement element && !Matches(element, expected))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{tool}: argument '{name}' must be {Describe(expected)}, got {element.ValueKind.ToString().ToLowerInvariant()} {Echo(element.GetRawText())}.");
            }

            // Whole numbers are 32-bit everywhere in the catalogue: say so, rather than let binding fail on a type name.
            if (Expected(property) is { } whole && whole.Contains("integer") && value is JsonElement { ValueKind: JsonValueKind.Number } number && !number.TryGetInt32(out _))
            {
                return $"{tool}: argument '{name}' is out of range: {Echo(number.GetRawText())} (at most {int.MaxValue:N0}).";
            }

            if (value is JsonElement structured && Nested(tool, name, structured, property) is { } nested)
            {
                return nested;
            }

            // Semantic Kernel hands arguments over as strings; they must still parse as the schema's type.
            if (Expected(property) is { } wanted && value is string text && !wanted.Contains("string") && !Parses(text, wanted))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{tool}: argument '{name}' must be {Describe(wanted)}, got {Echo(text)}.");
            }
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!arguments.ContainsKey(name))
                {
                    return $"{tool}: missing required argument '{name}'.";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Arrays and objects inside an argument (a batch's job specs) are checked the same way: every field known,
    /// every value of its type, nothing required missing. A <c>"2"</c> where a number belongs is named, not converted.
    /// </summary>
    private static string? Nested(string tool, string path, JsonElement value, JsonElement schema)
    {
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Nested(tool, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), item, items) is { } problem)
                {
                    return problem;
                }
            }
        }

        if (value.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var known = properties.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var field in value.EnumerateObject())
        {
            if (!properties.TryGetProperty(field.Name, out var property))
            {
                return $"{tool}: {path} has no field {Echo(field.Name)}{Guess(field.Name, known)}; its fields are: {string.Join(", ", known)}.";
            }

            if (Expected(property) is { } expected && !Matches(field.Value, expected))
            {
                return $"{tool}: {path}.{field.Name} must be {Describe(expected)}, got {field.Value.ValueKind.ToString().ToLowerInvariant()} {Echo(field.Value.GetRawText())}.";
            }

            if (Nested(tool, $"{path}.{field.Name}", field.Value, property) is { } problem)
            {
                return problem;
            }
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            && required.EnumerateArray().Select(r => r.GetString()!).FirstOrDefault(r => !value.TryGetProperty(r, out _)) is { } missing)
        {
            return $"{tool}: {path} is missing its required field '{missing}'.";
        }

        return null;
    }

    private static string Guess(string name, IEnumerable<string> known) =>
        Core.Text.NameMatch.Closest(name, known, maxEdits: 3) is { } guess ? $" (did you mean '{guess}'?)" : "";

    /// <summary>A value quoted back in a message: cut, with control characters made visible.</summary>
    private static string Echo(string value) => Core.Guards.Identifiers.Echo(value);

    private static IReadOnlyList<string>? Expected(JsonElement property) => property.TryGetProperty("type", out var type)
        ? type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array => [.. type.EnumerateArray().Select(t => t.GetString()!)],
            _ => null,
        }
        : null;

    private static bool Matches(JsonElement value, IReadOnlyList<string> types) => types.Any(t => t switch
    {
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    });

    private static bool Parses(string text, IReadOnlyList<string> types) => types.Any(t => t switch
    {
        "integer" => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        "number" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        "boolean" => bool.TryParse(text, out _),
        "null" => text.Length == 0,
        _ => true,
    });

    private static string Describe(IReadOnlyList<string> types) => string.Join(" or ", types.Where(t => t != "null").Select(t => t switch
    {
        "integer" => "a whole number",
        "number" => "a number",
        "string" => "a string",
        "boolean" => "true or false",
        "array" => "an array",
        _ => "an object",
    })) + (types.Contains("null") ? " (or null)" : "");
}
