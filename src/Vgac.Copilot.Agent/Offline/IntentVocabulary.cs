using System.Text.Json;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// One tool an intent calls, with fixed arguments and arguments taken from the question: the whole job spec
/// (<c>"from_entities": true</c>) or only the named fields (<c>"from_entities": ["namespace"]</c>).
/// </summary>
public sealed record IntentTool(string Name, IReadOnlyDictionary<string, JsonElement> Arguments, bool FromEntities, IReadOnlyList<string>? EntityFields = null);

/// <summary>A list section of an answer: one line per element at <see cref="Path"/>.</summary>
public sealed record IntentEach(string Path, string Template, int Max);

/// <summary>A sentence added when a field of a result has a given value.</summary>
public sealed record IntentNote(string Path, string Value, string Text);

/// <summary>What an intent is about (for a clarifying question), what it calls, and how its answer is written.</summary>
public sealed record Intent(
    string Name,
    string About,
    IReadOnlyList<string> Needs,
    IReadOnlyList<IntentTool> Tools,
    string Answer,
    IReadOnlyList<IntentEach> Each,
    IReadOnlyList<IntentNote> Notes,
    (string Path, string Text)? Empty)
{
    /// <summary>One cluster's line when a question asks across clusters ("side by side"); null when the intent has none.</summary>
    public string? Compare { get; init; }

    /// <summary>
    /// Answers written instead of <see cref="Answer"/> when a field of a result has a given value, the first that
    /// matches: a verdict that leaves no number to state (an infeasible request, a fallback) gets its own sentence.
    /// </summary>
    public IReadOnlyList<IntentNote> Instead { get; init; } = [];

    /// <summary>
    /// Words one of which the question must carry for this intent to be answered (an action tool is reached only by a
    /// question that asks for an action); empty for an intent any phrasing may reach.
    /// </summary>
    public IReadOnlyList<string> AsksWith { get; init; } = [];

    /// <summary>Intents this one answers instead when the question names one job (a question about one job uses its own record).</summary>
    public IReadOnlyList<string> InsteadOf { get; init; } = [];

    /// <summary>
    /// The equivalent question on a cluster whose scheduler has no such thing (a Slurm queue asked of a Kubernetes
    /// cluster, whose VGAC answers not found): the intent to answer there, and the sentence that says so
    /// (<c>{cluster}</c> is the cluster's name).
    /// </summary>
    public (string Intent, string Says)? Elsewhere { get; init; }
}

/// <summary>Loads <c>prompts/offline/intents.json</c>: the offline planner's whole vocabulary is data.</summary>
public static class IntentVocabulary
{
    public static IReadOnlyList<Intent> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return [.. document.RootElement.GetProperty("intents").EnumerateArray().Select(Parse)];
    }

    private static Intent Parse(JsonElement e)
    {
        var name = e.GetProperty("name").GetString()!;
        IReadOnlyList<IntentEach> each = [.. new[] { "each", "each_also" }
            .Where(k => e.TryGetProperty(k, out _))
            .Select(k => e.GetProperty(k))
            .Select(x => new IntentEach(x.GetProperty("path").GetString()!, x.GetProperty("template").GetString()!, x.TryGetProperty("max", out var m) ? m.GetInt32() : 5))];
        List<IntentNote> Conditional(string key) => e.TryGetProperty(key, out var n)
            ? n.EnumerateArray().Select(x =>
            {
                var when = x.GetProperty("when").GetString()!.Split('=', 2);
                return new IntentNote(when[0], when.Length > 1 ? when[1] : "true", x.GetProperty("text").GetString()!);
            }).ToList()
            : [];
        var notes = Conditional("notes");
        List<string> Words(string key) => e.TryGetProperty(key, out var w) ? [.. w.EnumerateArray().Select(x => x.GetString()!)] : [];
        return new Intent(
            name,
            e.GetProperty("about").GetString()!,
            e.TryGetProperty("needs", out var needs) ? [.. needs.EnumerateArray().Select(x => x.GetString()!)] : [],
            [.. e.GetProperty("tools").EnumerateArray().Select(t => new IntentTool(
                t.GetProperty("name").GetString()!,
                t.TryGetProperty("arguments", out var a) ? a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()) : new Dictionary<string, JsonElement>(),
                t.TryGetProperty("from_entities", out var f) && f.ValueKind is JsonValueKind.True,
                t.TryGetProperty("from_entities", out var fields) && fields.ValueKind == JsonValueKind.Array ? [.. fields.EnumerateArray().Select(x => x.GetString()!)] : null))],
            e.GetProperty("answer").GetString()!,
            each,
            notes,
            e.TryGetProperty("empty", out var empty) ? (empty.GetProperty("path").GetString()!, empty.GetProperty("text").GetString()!) : null)
        {
            Compare = e.TryGetProperty("compare", out var compare) ? compare.GetString() : null,
            Instead = Conditional("instead"),
            AsksWith = Words("asks_with"),
            InsteadOf = Words("instead_of"),
            Elsewhere = e.TryGetProperty("elsewhere", out var elsewhere) ? (elsewhere.GetProperty("intent").GetString()!, elsewhere.GetProperty("says").GetString()!) : null,
        };
    }
}
