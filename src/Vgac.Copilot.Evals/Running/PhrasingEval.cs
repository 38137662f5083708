using Vgac.Copilot.Agent.Offline;

namespace Vgac.Copilot.Evals.Running;

/// <summary>One held-out phrasing the planner routed wrong: what it should have asked for, and what it did.</summary>
public sealed record PhrasingMiss(string Question, string Expected, string Routed);

/// <summary>One intent's held-out phrasings: how many, how many routed right.</summary>
public sealed record IntentAccuracy(string Intent, int Total, int Correct, double Accuracy);

/// <summary>How often phrasings of one intent were routed to another (a cell of the confusion table).</summary>
public sealed record ConfusionCell(string Expected, string Routed, int Count);

/// <summary>
/// The offline planner's understanding on held-out phrasings it was never trained on: accuracy, accuracy by intent,
/// the confusion table and every miss. <see cref="Floor"/> is the accuracy CI holds it to.
/// </summary>
public sealed record PhrasingReport(
    string Source, int Total, int Correct, double Accuracy, double Floor,
    IReadOnlyList<IntentAccuracy> ByIntent, IReadOnlyList<ConfusionCell> Confusion, IReadOnlyList<PhrasingMiss> Misses)
{
    public const string SuiteName = "phrasings";

    public const double RequiredAccuracy = 0.95;

    public bool MeetsFloor => Accuracy + 1e-9 >= Floor;
}

/// <summary>
/// Routes every held-out phrasing through <see cref="OfflineUnderstanding"/> (what the offline planner and the
/// scripted model both use) and compares the intents chosen with the labelled ones. A question it declines is routed
/// to <c>out_of_scope</c>, <c>clarify</c> or <c>needs</c> (it asked for something it lacked).
/// </summary>
public static class PhrasingEval
{
    public static PhrasingReport Run(OfflineUnderstanding understanding, string heldOutFile)
    {
        var phrasings = PhrasingCorpus.Read(heldOutFile, [.. understanding.Intents.Select(i => i.Name)]);
        var rows = phrasings.Select(p => (Phrasing: p, Expected: string.Join('+', p.Intents), Routed: Route(understanding.Understand(p.Question)))).ToList();
        var correct = rows.Count(r => r.Expected == r.Routed);
        return new PhrasingReport(
            Path.GetFileName(heldOutFile), rows.Count, correct, rows.Count == 0 ? 0 : Math.Round(correct / (double)rows.Count, 4), PhrasingReport.RequiredAccuracy,
            [.. rows.GroupBy(r => r.Expected).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new IntentAccuracy(g.Key, g.Count(), g.Count(r => r.Expected == r.Routed), Math.Round(g.Count(r => r.Expected == r.Routed) / (double)g.Count(), 4)))],
            [.. rows.GroupBy(r => (r.Expected, r.Routed)).OrderBy(g => g.Key.Expected, StringComparer.Ordinal).ThenBy(g => g.Key.Routed, StringComparer.Ordinal)
                .Select(g => new ConfusionCell(g.Key.Expected, g.Key.Routed, g.Count()))],
            [.. rows.Where(r => r.Expected != r.Routed).Select(r => new PhrasingMiss(r.Phrasing.Question, r.Expected, r.Routed))]);
    }

    /// <summary>The intents a plan answers, joined with '+'; or what it did instead of answering.</summary>
    public static string Route(Understanding plan) => plan.Answers
        ? string.Join('+', plan.Parts.Select(p => p.Intent.Name))
        : plan.Route == "out_of_scope" ? PhrasingCorpus.OutOfScope : plan.Route;

    /// <summary>The report as a suite row, so the baseline comparison covers it like any suite.</summary>
    public static GroupSummary AsSuite(PhrasingReport report) => new(PhrasingReport.SuiteName, report.Correct, report.Total, report.Accuracy);
}
