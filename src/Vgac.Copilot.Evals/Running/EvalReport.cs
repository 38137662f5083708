namespace Vgac.Copilot.Evals.Running;

public sealed record GroupSummary(string Name, int Passed, int Total, double PassRate);

/// <summary>Everything one eval run found.</summary>
public sealed record EvalReport(
    DateTimeOffset GeneratedAt,
    string Planner,
    string? Model,
    int Repeat,
    int Cases,
    int Runs,
    double PassRate,
    double GroundingRate,
    double GuardCompliance,
    double? ToolPrecision,
    double? ToolRecall,
    double LatencyP50Ms,
    double LatencyP95Ms,
    long InputTokens,
    long OutputTokens,
    double? CostUsd,
    double FlakyCaseRate,
    IReadOnlyList<GroupSummary> Suites,
    IReadOnlyList<GroupSummary> Tags,
    IReadOnlyList<CaseResult> Results,
    PhrasingReport? Phrasings = null)
{
    /// <summary>This report with the held-out phrasings' result added (and listed as the <c>phrasings</c> suite).</summary>
    public EvalReport WithPhrasings(PhrasingReport phrasings) =>
        this with { Phrasings = phrasings, Suites = [.. Suites.Where(s => s.Name != PhrasingReport.SuiteName), PhrasingEval.AsSuite(phrasings)] };

    /// <param name="planner">offline or llm.</param>
    /// <param name="model">The model, when one answered.</param>
    /// <param name="repeat">Runs per case.</param>
    /// <param name="results">Every run's result.</param>
    /// <param name="pricePerMillion">Input and output prices per million tokens, when known.</param>
    public static EvalReport From(string planner, string? model, int repeat, IReadOnlyList<CaseResult> results, (double Input, double Output)? pricePerMillion = null)
    {
        static double Rate(IEnumerable<bool> xs)
        {
            var list = xs.ToList();
            return list.Count == 0 ? 1 : Math.Round(list.Count(x => x) / (double)list.Count, 4);
        }

        var latencies = results.Select(r => r.LatencyMs).Order().ToArray();
        var byCase = results.GroupBy(r => (r.Suite, r.Id)).ToList();
        var precision = results.Where(r => r.ToolPrecision is not null).Select(r => r.ToolPrecision!.Value).ToList();
        var recall = results.Where(r => r.ToolRecall is not null).Select(r => r.ToolRecall!.Value).ToList();
        return new EvalReport(
            DateTimeOffset.UtcNow, planner, model, repeat, byCase.Count, results.Count,
            Rate(results.Select(r => r.Passed)), Rate(results.Select(r => r.Grounded)), Rate(results.Select(r => r.GuardCompliant)),
            precision.Count == 0 ? null : Math.Round(precision.Average(), 4), recall.Count == 0 ? null : Math.Round(recall.Average(), 4),
            latencies.Length == 0 ? 0 : Math.Round(latencies[latencies.Length / 2], 1), latencies.Length == 0 ? 0 : Math.Round(latencies[(int)(latencies.Length * 0.95)], 1),
            results.Sum(r => (long)r.InputTokens), results.Sum(r => (long)r.OutputTokens),
            pricePerMillion is { } price && (price.Input > 0 || price.Output > 0)
                ? Math.Round((results.Sum(r => (double)r.InputTokens) * price.Input + results.Sum(r => (double)r.OutputTokens) * price.Output) / 1_000_000, 4)
                : null,
            byCase.Count == 0 ? 0 : Math.Round(byCase.Count(g => g.Select(r => r.Passed).Distinct().Count() > 1) / (double)byCase.Count, 4),
            [.. results.GroupBy(r => r.Suite).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new GroupSummary(g.Key, g.Count(r => r.Passed), g.Count(), Rate(g.Select(r => r.Passed))))],
            [.. results.SelectMany(r => r.Tags.Select(t => (Tag: t, r.Passed))).GroupBy(x => x.Tag).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new GroupSummary(g.Key, g.Count(x => x.Passed), g.Count(), Rate(g.Select(x => x.Passed))))],
            results);
    }
}
