using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Agent.Planning;

/// <summary>
/// What the deterministic check found in an answer before it was shown: numbers no tool of this question returned,
/// and claims that contradict the guards' verdicts.
/// </summary>
public sealed record AnswerCheck(bool Grounded, IReadOnlyList<string> UngroundedNumbers, IReadOnlyList<string> Contradictions, IReadOnlyList<string> Verdicts)
{
    /// <summary>Nothing to check (no tool ran: a refusal or a clarifying question).</summary>
    public static AnswerCheck NotApplicable { get; } = new(true, [], [], []);

    public bool Passed => Grounded && Contradictions.Count == 0;

    /// <summary>
    /// For an answer that rests on a prediction: the guards' own verdicts as one line, shown after the answer whatever
    /// the check concluded, so a reader always sees what the guards said beside what the text says. Null otherwise.
    /// </summary>
    public string? GuardsLine { get; init; }
}

/// <summary>
/// Checks every answer, from either planner, against the tool results of its own question, in code: grounding (every
/// number comes from a tool result, the question, or the guard policy, possibly rounded, as a percentage, or seconds
/// as minutes) and contradictions (calling a low-confidence, fallback or recalibration-required prediction confident;
/// recommending when the guards withheld every recommendation; saying an action ran when none did).
/// </summary>
public sealed partial class AnswerChecker(GuardOptions guards)
{
    private readonly double[] _policy = PolicyConstants(guards);

    /// <summary>The guard policy's own numbers, which an answer may state as rules (gate, thresholds, baseline, ratios).</summary>
    public static double[] PolicyConstants(GuardOptions o) =>
    [
        o.ConfidenceGate, o.OperatingThreshold, o.BaselineEce, o.StableRatio, o.MonitorRatio, o.ReduceAutonomyRatio, o.LearningModeMinSamples,
        .. o.EffectiveTiers.SelectMany(t => new double[] { t.Tier, t.Epsilon, t.MaxEce }),
    ];

    public AnswerCheck Check(string question, string answer, IReadOnlyList<ToolCallRecord> calls)
    {
        if (calls.Count == 0)
        {
            return AnswerCheck.NotApplicable;
        }

        var ungrounded = Ungrounded(answer, calls.Select(c => c.Result + " " + JobSpecAsked(c)), question, _policy);
        var facts = Facts.From(calls);
        var contradictions = new List<string>();
        var claims = AnswerClaims.Shared;

        if (facts.ShownAs.Count > 0 && !facts.ShownAs.Contains("confident") && claims.FirstClaim(answer, claims.Confidence) is { } confident)
        {
            contradictions.Add($"it calls the prediction confident (\"{Quote(confident)}\"), but the guards showed it as {string.Join(", ", facts.ShownAs.Order())}");
        }

        if (facts.Predictions > 0 && !facts.AnyRecommendation && claims.FirstClaim(answer, claims.Recommendation) is { } recommends)
        {
            contradictions.Add($"it recommends (\"{Quote(recommends)}\"), but the guards withheld every recommendation for this question");
        }

        if (!facts.AnyExecuted && claims.FirstClaim(answer, claims.Action) is { } acted)
        {
            contradictions.Add($"it says an action ran (\"{Quote(acted)}\"), but no action was carried out");
        }

        var verdicts = calls.Select(c => $"{c.Name}: {c.Verdict ?? (c.Ok ? "ok" : "failed")}").ToList();
        var guardsLine = facts.Predictions == 0 ? null
            : "The guards' verdict: " + string.Join("; ", calls.Where(c => c.Verdict is not null).Select(c => $"{c.Name}: {c.Verdict}").DefaultIfEmpty("no verdict given"));
        return new AnswerCheck(ungrounded.Count == 0, ungrounded, contradictions, verdicts) { GuardsLine = guardsLine };
    }

    /// <summary>
    /// The job spec a tool was asked about (its job-spec arguments and a what-if's values), which an answer may
    /// restate: a follow-up ("and with 8?") names a spec the question itself does not. Other arguments (a row limit,
    /// a window) are not: a number put there is not a fact about the cluster.
    /// </summary>
    private static string JobSpecAsked(ToolCallRecord call) => string.Join(' ', call.Arguments
        .Where(a => a.Key == "values" || Core.Jobs.JobSpecSchema.Find(a.Key) is not null)
        .Select(a => Convert.ToString(a.Value, CultureInfo.InvariantCulture)));

    /// <summary>Numbers in the answer that nothing the question's tools returned (or the question, or the policy) supports.</summary>
    public static IReadOnlyList<string> Ungrounded(string answer, IEnumerable<string> toolResults, string question, IEnumerable<double> policy)
    {
        var sources = string.Join(' ', toolResults) + " " + question;
        var known = Number().Matches(sources).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).Concat(policy).ToHashSet();
        var missing = new List<string>();

        // "2 h 40 min" states one number, 160 minutes: grounded when some source (in seconds) rounds to it.
        answer = HoursAndMinutes().Replace(answer, m =>
        {
            var minutes = (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60) + (m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0);
            return known.Any(s => (long)Math.Round(s / 60, MidpointRounding.AwayFromZero) == minutes) ? new string(' ', m.Length) : m.Value;
        });
        foreach (Match m in Number().Matches(answer))
        {
            // Shown with d decimals, a number is grounded if some source rounds to it at d decimals: as it is, as a
            // percentage, or (seconds) as minutes. Exactly, not "close": 0.97 is not 1 rounded.
            var v = double.Parse(m.Value, CultureInfo.InvariantCulture);
            var d = m.Value.Contains('.', StringComparison.Ordinal) ? m.Value.Length - m.Value.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
            // Rounded as the answer's writer formats it: the number's decimal digits, not its binary value (0.285 is
            // shown as 0.29, though the double below it rounds to 0.28).
            bool Same(double x) => double.IsFinite(x) && Math.Abs(x) < 1e15
                ? Math.Round((decimal)x, Math.Min(d, 15), MidpointRounding.AwayFromZero) == (decimal)v
                : Math.Abs(Math.Round(x, Math.Min(d, 15), MidpointRounding.AwayFromZero) - v) < 1e-9;
            if (!known.Contains(v) && !known.Any(s => Same(s) || Same(s * 100) || Same(s / 60)))
            {
                missing.Add(m.Value);
            }
        }

        return missing;
    }

    private static string Quote(string sentence) => sentence.Length <= 120 ? sentence.Trim() : sentence.Trim()[..117] + "...";

    /// <summary>What the tool results of one question say, as far as claims in an answer can contradict it.</summary>
    private sealed record Facts(HashSet<string> ShownAs, int Predictions, bool AnyRecommendation, bool AnyExecuted)
    {
        public static Facts From(IEnumerable<ToolCallRecord> calls)
        {
            var facts = new Facts(new HashSet<string>(StringComparer.Ordinal), 0, false, false);
            foreach (var call in calls.Where(c => c.Ok && c.Result.StartsWith('{')))
            {
                try
                {
                    using var json = JsonDocument.Parse(call.Result);
                    facts = facts.Walk(json.RootElement);
                }
                catch (JsonException)
                {
                    // A result cut at the size limit: what it says cannot be read, so it supports nothing either.
                }
            }

            return facts;
        }

        private Facts Walk(JsonElement e)
        {
            var facts = this;
            if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    facts = facts.Walk(item);
                }

                return facts;
            }

            if (e.ValueKind != JsonValueKind.Object)
            {
                return facts;
            }

            if (e.TryGetProperty("shown_as", out var shown) && shown.GetString() is { } s)
            {
                facts.ShownAs.Add(s);
                facts = facts with { Predictions = facts.Predictions + 1, AnyRecommendation = facts.AnyRecommendation || e.TryGetProperty("recommendation", out _) };
            }

            if (e.TryGetProperty("executed", out var executed) && executed.ValueKind == JsonValueKind.True)
            {
                facts = facts with { AnyExecuted = true };
            }

            foreach (var property in e.EnumerateObject().Where(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
            {
                facts = facts.Walk(property.Value);
            }

            return facts;
        }
    }

    [GeneratedRegex(@"(?<![\w.-])(\d+) h(?: (\d+) min)?(?![\w])")]
    private static partial Regex HoursAndMinutes();

    // A number may run into a unit ("2.83x", "45s") but not into more digits.
    [GeneratedRegex(@"(?<![\w.-])\d+(?:\.\d+)?(?![\d.])")]
    private static partial Regex Number();
}
