using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Agent.Planning;

/// <summary>
/// The claims the answer check looks for, by meaning (<c>prompts/answer-check/claims.json</c>): calling a prediction
/// confident, recommending, saying an action ran, each in many phrasings. An answer is read clause by clause; a claim
/// is excused only by a negation in its own clause, among the few words just before it ("is not confident"), never by
/// one elsewhere in the sentence ("is confident, no doubt about it").
/// </summary>
public sealed partial class AnswerClaims
{
    /// <summary>How many words before a claim a negation may stand to excuse it.</summary>
    private const int NegationReach = 4;

    private static readonly Lazy<AnswerClaims> Loaded = new(() => Load(Path.Combine(Tools.Catalog.PromptCatalog.Root, "answer-check", "claims.json")));

    private readonly Regex _negation;

    private AnswerClaims(Regex[] confidence, Regex[] recommendation, Regex[] action, Regex negation)
    {
        (Confidence, Recommendation, Action, _negation) = (confidence, recommendation, action, negation);
    }

    /// <summary>The vocabulary the product ships.</summary>
    public static AnswerClaims Shared => Loaded.Value;

    public IReadOnlyList<Regex> Confidence { get; }

    public IReadOnlyList<Regex> Recommendation { get; }

    public IReadOnlyList<Regex> Action { get; }

    /// <summary>Reads a vocabulary file; a missing or broken one is an error naming the file (the check must not run without its words).</summary>
    public static AnswerClaims Load(string path)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            Regex[] List(string name) => [.. root.GetProperty(name).EnumerateArray().Select(e => Compile(e.GetString()!))];
            return new AnswerClaims(List("confidence"), List("recommendation"), List("action"), Compile(root.GetProperty("negation").GetString()!));
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"the answer check's vocabulary {path} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The first clause of <paramref name="answer"/> that makes one of <paramref name="claims"/> without a negation just before it; null when none does.</summary>
    public string? FirstClaim(string answer, IReadOnlyList<Regex> claims)
    {
        foreach (var clause in Clause().Split(answer))
        {
            foreach (var claim in claims)
            {
                foreach (Match m in claim.Matches(clause))
                {
                    if (!Excused(clause[..m.Index]))
                    {
                        return clause.Trim();
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Whether a negation stands among the last few words before a claim, in its clause.</summary>
    private bool Excused(string before)
    {
        var words = Word().Matches(before);
        var from = Math.Max(0, words.Count - NegationReach);
        for (var i = from; i < words.Count; i++)
        {
            if (_negation.IsMatch(words[i].Value))
            {
                return true;
            }
        }

        return false;
    }

    private static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    // Clauses: sentence ends, commas, semicolons, colons, dashes, and the conjunctions that join two claims.
    [GeneratedRegex(@"(?<=[.!?])\s+|\n+|[,;:]\s*|\s[-–—]\s|\s+(?:but|and|however|so|because|though|although|while)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Clause();

    // Words, with the hyphenated and apostrophe forms a negation may take (low-confidence, can't, dry-run).
    [GeneratedRegex(@"[\w'’-]+")]
    private static partial Regex Word();
}
