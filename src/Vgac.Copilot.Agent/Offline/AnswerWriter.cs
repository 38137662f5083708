using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// Fills an intent's answer template from the tool results of this answer, and nothing else: every number in the
/// answer is a field of a result (or the user's own spec), cited by tool name.
/// </summary>
public static partial class AnswerWriter
{
    public static string Write(Intent intent, IReadOnlyDictionary<string, JsonElement> results, Entities entities)
    {
        var answer = intent.Instead.FirstOrDefault(x => Find(results, x.Path) is { } value ? Matches(value, x.Value) : Absent(results, x))?.Text ?? intent.Answer;
        var text = new StringBuilder(Fill(answer, path => Resolve(results, entities, path)));
        if (intent.Empty is { } empty && Find(results, empty.Path) is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() == 0)
        {
            text.AppendLine().Append(empty.Text);
        }

        foreach (var each in intent.Each)
        {
            if (Find(results, each.Path) is not { ValueKind: JsonValueKind.Array } items)
            {
                continue;
            }

            foreach (var item in items.EnumerateArray().Take(each.Max))
            {
                text.AppendLine().Append(Fill(each.Template, path => Format(Walk(item, path.Split('.')), path)));
            }
        }

        foreach (var note in intent.Notes)
        {
            if (Find(results, note.Path) is { } value && Matches(value, note.Value))
            {
                text.AppendLine().Append(Fill(note.Text, path => Resolve(results, entities, path)));
            }
        }

        return text.ToString();
    }

    /// <summary>An intent's one-line comparison of one cluster's results (its <c>compare</c> template), or null.</summary>
    public static string? Compare(Intent intent, IReadOnlyDictionary<string, JsonElement> results, Entities entities) =>
        intent.Compare is { } template ? Fill(template, path => Resolve(results, entities, path)) : null;

    /// <summary>A condition <c>=absent</c>: the tool answered, and the field is not in its result (a count of none, left out).</summary>
    private static bool Absent(IReadOnlyDictionary<string, JsonElement> results, IntentNote condition) =>
        condition.Value == "absent" && results.ContainsKey(condition.Path.Split('.')[0]);

    /// <summary>A note's condition: the value, <c>*</c> for any value present, <c>!value</c> for any other value present.</summary>
    private static bool Matches(JsonElement value, string expected) => expected switch
    {
        "*" => value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined),
        ['!', .. var other] => value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) && !Equal(value, other),
        _ => Equal(value, expected),
    };

    private static bool Equal(JsonElement value, string expected) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() == expected,
        JsonValueKind.True => expected == "true",
        JsonValueKind.False => expected == "false",
        _ => value.GetRawText() == expected,
    };

    private static string Resolve(IReadOnlyDictionary<string, JsonElement> results, Entities e, string placeholder)
    {
        var path = placeholder.Split(':')[0];
        return path switch
        {
            "gpus" => (e.Gpus ?? 0).ToString(CultureInfo.InvariantCulture),
            "namespace" => e.Namespace ?? "default",
            "priority" => (e.Priority ?? 0).ToString(CultureInfo.InvariantCulture),
            "gpu_type_clause" => e.GpuType is { } t ? $" ({t})" : "",
            "namespace_clause" => e.Namespace is { } ns ? $" in {ns}" : "",
            "spec_clause" => SpecClause(e),
            _ => Format(Find(results, path), placeholder),
        };
    }

    /// <summary>The rest of the spec the prediction was asked with, each part as the user gave it: ", 64 GB, 32 CPU cores, distributed, runtime 6 h".</summary>
    private static string SpecClause(Entities e)
    {
        var parts = new List<string>();
        if (e.MemoryGb is { } memory)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{memory:0.##} GB"));
        }

        if (e.Cpus is { } cores)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{cores} CPU cores"));
        }

        if (e.Distributed is { } distributed)
        {
            parts.Add(distributed ? "distributed" : "single node");
        }

        if (e.DurationMinutes is { } minutes)
        {
            parts.Add($"runtime {Core.Text.Words.Duration(minutes * 60.0)}");
        }

        if (e.Queue is { } queue)
        {
            parts.Add($"queue {queue}");
        }

        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
    }

    private static JsonElement? Find(IReadOnlyDictionary<string, JsonElement> results, string path)
    {
        var parts = path.Split('.');
        return results.TryGetValue(parts[0], out var root) ? Walk(root, parts[1..]) : null;
    }

    private static JsonElement? Walk(JsonElement element, string[] parts)
    {
        foreach (var part in parts)
        {
            var name = part.Split(':')[0];
            if (element.ValueKind == JsonValueKind.Array && int.TryParse(name, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                // "warnings.0": a list's element by position (a condition that the list is not empty).
                if (index >= element.GetArrayLength())
                {
                    return null;
                }

                element = element[index];
                continue;
            }

            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static string Format(JsonElement? value, string placeholder)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return "unknown";
        }

        var format = placeholder.Contains(':', StringComparison.Ordinal) ? placeholder[(placeholder.IndexOf(':', StringComparison.Ordinal) + 1)..] : "";
        if (v.ValueKind == JsonValueKind.Number)
        {
            var d = v.GetDouble();
            return format switch
            {
                "pct" => (d * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %",
                "p2" => d.ToString("0.00", CultureInfo.InvariantCulture),
                "min" => Core.Text.Words.Duration(d),
                _ => v.GetRawText(),
            };
        }

        if (format == "verdict" && v.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return v.ValueKind == JsonValueKind.True ? "ALLOWED" : "BLOCKED";
        }

        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
        {
            // A list of sentences (an admission review's warnings): each as it is, in turn.
            return string.Join("; ", v.EnumerateArray().Select(x => x.GetString()));
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
    }

    private static string Fill(string template, Func<string, string> resolve) => Placeholder().Replace(template, m => resolve(m.Groups[1].Value));

    [GeneratedRegex(@"\{([a-z_][a-z0-9_.]*(?::[a-z0-9]+)?)\}")]
    private static partial Regex Placeholder();
}
