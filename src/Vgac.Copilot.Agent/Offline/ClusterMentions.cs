using System.Text.RegularExpressions;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// The configured clusters a question names ("compare 4 GPUs on eks and slurm"), and the question without them, so
/// the classifier reads what is asked rather than where. A name that is also a word the phrasings use ("slurm" in
/// "the slurm queue") stays in the text as well.
/// </summary>
public static partial class ClusterMentions
{
    public static (IReadOnlyList<string> Clusters, string Question) Find(string question, IReadOnlyList<string> clusters, IntentClassifier classifier)
    {
        if (clusters.Count < 2)
        {
            return ([], question);
        }

        var found = new List<(int At, string Name)>();
        var rest = question;
        foreach (var name in clusters)
        {
            var mention = new Regex($@"(?<![\w-]){Regex.Escape(name)}(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            if (mention.Match(question) is { Success: true } m)
            {
                found.Add((m.Index, name));

                // "on eks", "eks and slurm", "between eks": the name and the word that only introduced it. A name the
                // phrasings also use as a word goes only where such a word introduces it ("on slurm", not "the slurm queue").
                var introduced = classifier.KnownWords(name) == 0 ? "?" : "";
                rest = new Regex($@"(\b(on|in|at|for|from|across|between|vs\.?|versus|and|or)\s+(the\s+)?){introduced}(?<![\w-]){Regex.Escape(name)}(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))
                    .Replace(rest, " ");
            }
        }

        return ([.. found.OrderBy(f => f.At).Select(f => f.Name)], Spaces().Replace(rest, " ").Trim());
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Spaces();
}
