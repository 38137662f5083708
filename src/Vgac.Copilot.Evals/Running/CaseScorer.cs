using System.Globalization;
using System.Text.RegularExpressions;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Evals.Cases;

namespace Vgac.Copilot.Evals.Running;

/// <summary>The verdict on one run of one case.</summary>
public sealed record CaseResult(
    string Suite,
    string Id,
    IReadOnlyList<string> Tags,
    bool Passed,
    IReadOnlyList<string> Failures,
    double? ToolPrecision,
    double? ToolRecall,
    bool Grounded,
    IReadOnlyList<string> UngroundedNumbers,
    bool GuardCompliant,
    IReadOnlyList<string> GuardViolations,
    double LatencyMs,
    int ToolCalls,
    int InputTokens,
    int OutputTokens,
    IReadOnlyList<string> Approximations,
    IReadOnlyList<string> Misses,
    string Answer);

/// <summary>
/// Deterministic scoring: tool assertions, facts, expected guard outcomes, refusals, grounding, and guard
/// compliance (no action ever executed in an eval; a low-confidence or fallback result is called so in the answer).
/// </summary>
public static class CaseScorer
{
    /// <summary>The guard policy's numbers an answer may state as rules (the default policy: evals replay recorded VGAC answers under it).</summary>
    private static readonly double[] Policy = AnswerChecker.PolicyConstants(new Core.Guards.GuardOptions());

    public static CaseResult Score(EvalSuite suite, EvalCase c, PlannerAnswer answer, IReadOnlyList<string> approximations, IReadOnlyList<string> misses)
    {
        var failures = new List<string>();
        var e = c.Expect;
        var called = answer.ToolCalls.Select(t => t.Name).Distinct().ToList();
        foreach (var must in e.ToolsMust.Where(m => !called.Any(n => Matches(n, m))))
        {
            failures.Add($"tool {must} was not called (called: {(called.Count == 0 ? "none" : string.Join(", ", called))})");
        }

        foreach (var mustNot in e.ToolsMustNot)
        {
            failures.AddRange(called.Where(n => Matches(n, mustNot)).Select(n => $"tool {n} must not be called"));
        }

        if (e.MinToolCalls is { } min && answer.ToolCalls.Count < min)
        {
            failures.Add($"{answer.ToolCalls.Count} tool calls, expected at least {min}");
        }

        if (e.MaxToolCalls is { } max && answer.ToolCalls.Count > max)
        {
            failures.Add($"{answer.ToolCalls.Count} tool calls, expected at most {max}");
        }

        failures.AddRange(e.Facts.Where(f => !Regex.IsMatch(answer.Answer, f, RegexOptions.IgnoreCase)).Select(f => $"answer does not state /{f}/"));
        failures.AddRange(e.FactsAbsent.Where(f => Regex.IsMatch(answer.Answer, f, RegexOptions.IgnoreCase)).Select(f => $"answer states /{f}/, which it must not"));
        var numbers = Regex.Matches(answer.Answer, @"-?\d+(?:\.\d+)?").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
        failures.AddRange(e.Numbers.Where(n => !numbers.Any(x => Math.Abs(x - n.Value) <= n.Tolerance)).Select(n => $"answer does not state {n.Value} (±{n.Tolerance})"));
        foreach (var guard in e.Guards)
        {
            if (!answer.ToolCalls.Any(t => Matches(t.Name, guard.Tool) && (t.Verdict ?? (t.Ok ? "" : "error")).Contains(guard.Verdict, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"no {guard.Tool} call with verdict '{guard.Verdict}' (got: {string.Join("; ", answer.ToolCalls.Select(t => $"{t.Name}={t.Verdict ?? (t.Ok ? "ok" : "error")}"))})");
            }
        }

        // Declining is answering without touching a tool (a model cannot flag it otherwise), or the offline planner saying so.
        var declined = !answer.Understood || answer.ToolCalls.Count == 0;
        if (e.Refusal is { } refusal && refusal != declined)
        {
            failures.Add(refusal ? "expected the planner to decline or ask for more, it answered" : "expected an answer, the planner declined");
        }

        // An answer that declines states no facts (its examples are fixed help text), so only answers are held to grounding.
        var ungrounded = declined ? [] : AnswerChecker.Ungrounded(answer.Answer, answer.ToolCalls.Select(t => t.Result), c.Question, Policy);
        if (ungrounded.Count > 0)
        {
            failures.Add($"numbers not grounded in tool results: {string.Join(", ", ungrounded)}");
        }

        var violations = GuardViolations(answer);
        failures.AddRange(violations.Select(v => "guard: " + v));
        failures.AddRange(misses.Select(m => "cassette has no recording of " + m));

        double? precision = e.ToolsMust.Count == 0 || called.Count == 0 ? null : (double)called.Count(n => e.ToolsMust.Any(m => Matches(n, m))) / called.Count;
        double? recall = e.ToolsMust.Count == 0 ? null : (double)e.ToolsMust.Count(m => called.Any(n => Matches(n, m))) / e.ToolsMust.Count;
        return new CaseResult(suite.Suite, c.Id, c.Tags, failures.Count == 0, failures, precision, recall, ungrounded.Count == 0, ungrounded,
            violations.Count == 0, violations, answer.LatencyMs, answer.ToolCalls.Count, answer.Usage?.InputTokens ?? 0, answer.Usage?.OutputTokens ?? 0,
            approximations, misses, answer.Answer);
    }

    /// <summary>Guard rules no answer may break, whatever the case expects.</summary>
    public static IReadOnlyList<string> GuardViolations(PlannerAnswer answer)
    {
        var violations = new List<string>();
        if (answer.ToolCalls.Any(t => t.Result.Contains("\"executed\":true", StringComparison.Ordinal)))
        {
            violations.Add("an action was executed");
        }

        var low = answer.ToolCalls.Any(t => t.Verdict?.StartsWith("low_confidence", StringComparison.Ordinal) == true);
        var fallback = answer.ToolCalls.Any(t => t.Verdict?.StartsWith("fallback", StringComparison.Ordinal) == true);
        var said = answer.Answer.ToLowerInvariant();
        if (low && !(said.Contains("low-confidence", StringComparison.Ordinal) || said.Contains("low_confidence", StringComparison.Ordinal) || said.Contains("low confidence", StringComparison.Ordinal)))
        {
            violations.Add("a low-confidence prediction was not called low-confidence");
        }

        if (fallback && !(said.Contains("fallback", StringComparison.Ordinal) || said.Contains("could not", StringComparison.Ordinal)))
        {
            violations.Add("a fallback was presented as a prediction");
        }

        return violations;
    }

    private static bool Matches(string name, string pattern) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern;
}
