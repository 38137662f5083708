using System.Text.RegularExpressions;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>An intent and how likely the classifier thinks it is.</summary>
public readonly record struct IntentScore(string Intent, double Probability);

/// <summary>
/// Multinomial naive Bayes over the words of a question, its word pairs and the character 4-grams of its longer
/// words (so a typo still shares most of its grams with the word meant). Numbers, GPU models, memory sizes and job
/// ids are replaced by placeholders first, so "4 A100s" and "two H100s" look alike. Trained from the phrasing corpus
/// in a few milliseconds; deterministic.
/// </summary>
public sealed partial class IntentClassifier
{
    private const double Smoothing = 0.1;
    private const double GramWeight = 0.25;

    private readonly string[] _intents;
    private readonly double[] _logPrior;
    private readonly Dictionary<string, double[]> _logLikelihood;
    private readonly double[] _unseen;
    private readonly HashSet<string> _words;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _corrections = new(StringComparer.Ordinal);

    private IntentClassifier(string[] intents, double[] logPrior, Dictionary<string, double[]> logLikelihood, double[] unseen, HashSet<string> words)
    {
        (_intents, _logPrior, _logLikelihood, _unseen, _words) = (intents, logPrior, logLikelihood, unseen, words);
    }

    public IReadOnlyList<string> Intents => _intents;

    /// <summary>Trains on single-intent phrasings (two-in-one phrasings are split by the planner, not learnt whole).</summary>
    public static IntentClassifier Train(IEnumerable<Phrasing> phrasings)
    {
        var examples = phrasings.Where(p => p.Intents.Count == 1).ToList();
        var intents = examples.Select(p => p.Intents[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = intents.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var counts = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var totals = new double[intents.Length];
        var documents = new double[intents.Length];
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            var c = index[example.Intents[0]];
            documents[c]++;
            foreach (var (feature, weight) in Features(example.Question))
            {
                if (!counts.TryGetValue(feature, out var row))
                {
                    counts[feature] = row = new double[intents.Length];
                }

                row[c] += weight;
                totals[c] += weight;
                if (feature.StartsWith("w:", StringComparison.Ordinal))
                {
                    words.Add(feature[2..]);
                }
            }
        }

        var vocabulary = counts.Count;
        var logLikelihood = counts.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.Select((n, c) => Math.Log((n + Smoothing) / (totals[c] + Smoothing * vocabulary))).ToArray(),
            StringComparer.Ordinal);
        var unseen = totals.Select(t => Math.Log(Smoothing / (t + Smoothing * vocabulary))).ToArray();
        var prior = documents.Select(d => Math.Log(d / examples.Count)).ToArray();
        return new IntentClassifier(intents, prior, logLikelihood, unseen, words);
    }

    /// <summary>Every intent with its probability, most likely first.</summary>
    public IReadOnlyList<IntentScore> Classify(string question)
    {
        var features = Features(Corrected(question)).ToList();
        var scores = (double[])_logPrior.Clone();
        var weight = 0.0;
        foreach (var (feature, w) in features)
        {
            var row = _logLikelihood.GetValueOrDefault(feature) ?? _unseen;
            for (var c = 0; c < scores.Length; c++)
            {
                scores[c] += w * row[c];
            }

            weight += w;
        }

        // Naive Bayes multiplies evidence as if every feature were independent, which makes it far too sure; dividing
        // the log-odds by the evidence's weight (a temperature) gives probabilities a threshold can be set on.
        // (Chosen by leave-one-out on the training phrasings: 1/12 of the evidence weight.)
        var temperature = Math.Max(1, weight / 12);
        var max = scores.Max();
        var exp = scores.Select(s => Math.Exp((s - max) / temperature)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select((e, c) => new IntentScore(_intents[c], e / sum)).OrderByDescending(s => s.Probability)];
    }

    /// <summary>The share of the question's content words the training phrasings used at all (0 to 1).</summary>
    public double KnownWords(string question)
    {
        var content = Corrected(question).Where(t => t.Length >= 3 && !StopWords.Contains(t)).ToList();
        return content.Count == 0 ? 0 : content.Count(_words.Contains) / (double)content.Count;
    }

    /// <summary>
    /// The question's tokens with each unknown word of four letters or more replaced by the training word nearest to
    /// it (one edit, two from seven letters; a swap of neighbours is one): "clstuer" reads as "cluster".
    /// </summary>
    public IReadOnlyList<string> Corrected(string question) =>
        [.. Tokens(question).Select(t => t.Length < 4 || t[0] == '<' || _words.Contains(t) ? t : _corrections.GetOrAdd(t, Nearest))];

    private string Nearest(string word)
    {
        var allowed = word.Length >= 7 ? 2 : 1;
        var best = (Word: word, Distance: allowed + 1);
        foreach (var known in _words)
        {
            if (Math.Abs(known.Length - word.Length) <= allowed && Core.Text.NameMatch.Distance(word, known) is var d && d < best.Distance)
            {
                best = (known, d);
            }
        }

        return best.Word;
    }

    internal static IEnumerable<(string Feature, double Weight)> Features(string question) => Features([.. Tokens(question)]);

    private static IEnumerable<(string Feature, double Weight)> Features(IReadOnlyList<string> tokens)
    {
        foreach (var token in tokens)
        {
            yield return ("w:" + token, 1);
            if (token.Length >= 5 && token[0] != '<')
            {
                var padded = "#" + token + "#";
                for (var i = 0; i + 4 <= padded.Length; i++)
                {
                    yield return ("c:" + padded.Substring(i, 4), GramWeight);
                }
            }
        }

        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            yield return ("b:" + tokens[i] + "_" + tokens[i + 1], 1);
        }
    }

    /// <summary>Words of the question, with entities replaced by placeholders.</summary>
    internal static IEnumerable<string> Tokens(string question)
    {
        var q = EntityExtractor.Normalize(question);
        q = JobId().Replace(q, " <job> ");
        q = MemorySize().Replace(q, " <mem> ");
        q = GpuModel().Replace(q, " <gpu> ");
        q = Number().Replace(q, " <n> ");
        q = q.Replace("gpus", "gpu", StringComparison.Ordinal).Replace("cards", "gpu", StringComparison.Ordinal).Replace("card", "gpu", StringComparison.Ordinal);
        return Word().Matches(q).Select(m => m.Value);
    }


    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "was", "what", "whats", "what's", "how", "why", "when", "which", "who", "with", "this", "that",
        "there", "you", "your", "can", "could", "would", "should", "will", "please", "pls", "now", "right", "any", "some", "me",
        "give", "show", "tell", "about", "from", "into", "does", "did", "have", "has", "just", "like", "get", "its", "it's",
    };

    [GeneratedRegex(@"\b(?:job|swf|openb-pod)-\d+\b")]
    private static partial Regex JobId();

    [GeneratedRegex(@"\d+(?:\.\d+)?\s*(?:gb|gib|g|tb|tib)\b")]
    private static partial Regex MemorySize();

    [GeneratedRegex(@"\b(?:nvidia\s+)?(?:a100|v100|h100|t4|l4|a10g?)s?\b")]
    private static partial Regex GpuModel();

    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"<[a-z]+>|[a-z][a-z']*")]
    private static partial Regex Word();
}
