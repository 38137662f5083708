namespace Vgac.Copilot.Agent.Offline;

/// <summary>One phrasing: a question and the intents it asks for (one, or several for two questions in one).</summary>
public sealed record Phrasing(IReadOnlyList<string> Intents, string Question, int Line);

/// <summary>
/// Phrasing files: one <c>intent[+intent...] TAB question</c> per line, <c>#</c> comments. The training part ships
/// with the planner (<c>prompts/offline/phrasings/train.tsv</c>); the held-out part lives with the evals.
/// </summary>
public static class PhrasingCorpus
{
    public const string OutOfScope = "out_of_scope";

    public static IReadOnlyList<Phrasing> Read(string path, IReadOnlyCollection<string> knownIntents)
    {
        var phrasings = new List<Phrasing>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0 || tab == line.Length - 1)
            {
                throw new InvalidDataException($"{path}: line {number}: expected 'intent<TAB>question'.");
            }

            var intents = line[..tab].Split('+', StringSplitOptions.TrimEntries);
            if (intents.FirstOrDefault(i => i != OutOfScope && !knownIntents.Contains(i)) is { } unknown)
            {
                throw new InvalidDataException($"{path}: line {number}: unknown intent '{unknown}'.");
            }

            phrasings.Add(new Phrasing(intents, line[(tab + 1)..].Trim(), number));
        }

        return phrasings;
    }
}
