namespace Vgac.Copilot.Calibration;

/// <summary>A finished job as the history keeps it: what was predicted at submit time, and the wait that followed.</summary>
public readonly record struct WaitOutcome(double Probability, double PredictedWaitSeconds, int Gpus, double WaitSeconds);

/// <summary>
/// "Starts within 12-40 min (90 %)": a wait interval with its level, the finished jobs behind it, and how it was made.
/// </summary>
/// <param name="LowSeconds">The wait it will at least be.</param>
/// <param name="HighSeconds">The wait it will at most be.</param>
/// <param name="Level">The share of waits such intervals cover (0.9 for 90 %).</param>
/// <param name="Samples">Finished jobs the interval was calibrated on.</param>
/// <param name="Method">How it was made, for people.</param>
/// <param name="Group">The jobs it was calibrated on: a group of similar jobs, or <c>all</c> when the group had too few.</param>
public sealed record WaitInterval(double LowSeconds, double HighSeconds, double Level, int Samples, string Method, string Group);

/// <summary>
/// Split-conformal intervals for the wait, calibrated on the job history (the prediction made at submit time and the
/// wait that followed). The score of a finished job is the log ratio of its wait to the wait predicted for it,
/// ln(1 + w) − ln(1 + ŵ); an interval at level 1 − α takes the ⌊(n + 1)α/2⌋-th and ⌈(n + 1)(1 − α/2)⌉-th smallest
/// scores of its group and maps them back around the new prediction, so each tail holds at most α/2 and the interval
/// covers the wait with probability at least 1 − α whenever the new job is exchangeable with the history.
/// Conditional where the data allow (Mondrian): groups by predicted probability and GPU count, falling back to all
/// jobs when a group has fewer than <see cref="MinimumGroupSamples"/>.
/// </summary>
public sealed class ConformalWaits
{
    public static readonly double[] Levels = [0.80, 0.90, 0.95];

    public const double DefaultLevel = 0.90;

    /// <summary>A group with fewer finished jobs is not used on its own.</summary>
    public const int MinimumGroupSamples = 100;

    /// <summary>With fewer finished jobs in all there is no interval.</summary>
    public const int MinimumSamples = 50;

    private readonly Dictionary<string, double[]> _scores;
    private readonly double[] _all;

    private ConformalWaits(Dictionary<string, double[]> scores, double[] all) => (_scores, _all) = (scores, all);

    /// <summary>Finished jobs behind the intervals.</summary>
    public int Samples => _all.Length;

    /// <summary>Calibrates on finished jobs (any order; the scores are sorted).</summary>
    public static ConformalWaits Fit(IEnumerable<WaitOutcome> history)
    {
        var usable = history.Where(h => double.IsFinite(h.WaitSeconds) && h.WaitSeconds >= 0 && double.IsFinite(h.PredictedWaitSeconds) && h.PredictedWaitSeconds >= 0
            && h.Probability is >= 0 and <= 1).ToList();
        var scores = usable.GroupBy(h => GroupOf(h.Probability, h.Gpus), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(Score).Order().ToArray(), StringComparer.Ordinal);
        return new ConformalWaits(scores, [.. usable.Select(Score).Order()]);
    }

    /// <summary>The interval for a new prediction at <paramref name="level"/>, or null with the reason there is none.</summary>
    public WaitInterval? Interval(double probability, double predictedWaitSeconds, int gpus, double level, out string? reason)
    {
        if (level is not (> 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), $"Interval level {level} is outside (0, 1).");
        }

        var group = GroupOf(probability, gpus);
        var own = _scores.GetValueOrDefault(group) ?? [];
        var (scores, used) = own.Length >= MinimumGroupSamples ? (own, group) : (_all, "all");
        if (scores.Length < MinimumSamples)
        {
            reason = $"only {scores.Length} finished {(scores.Length == 1 ? "job" : "jobs")} with a submit-time prediction in the history; an interval needs {MinimumSamples}";
            return null;
        }

        var alpha = 1 - level;
        var n = scores.Length;
        var lowRank = (int)Math.Floor((n + 1) * alpha / 2);
        var highRank = (int)Math.Ceiling((n + 1) * (1 - alpha / 2));
        if (highRank > n)
        {
            reason = $"{n} finished jobs are too few for a {level:P0} interval";
            return null;
        }

        var baseLog = Math.Log(1 + Math.Max(0, predictedWaitSeconds));
        var low = lowRank < 1 ? 0 : Math.Max(0, Math.Exp(baseLog + scores[lowRank - 1]) - 1);
        var high = Math.Max(low, Math.Exp(baseLog + scores[highRank - 1]) - 1);
        var oneSided = low < 1;
        if (oneSided)
        {
            // Most jobs start at once, so the lower end falls on zero and its α/2 would be spent on nothing: the interval
            // is "starts within high", with the whole α in the upper tail (the ⌈(n + 1)(1 − α)⌉-th score).
            var rank = (int)Math.Ceiling((n + 1) * (1 - alpha));
            (low, high) = (0, Math.Max(0, Math.Exp(baseLog + scores[Math.Min(n, rank) - 1]) - 1));
        }

        reason = null;
        var method = used == "all" && own.Length > 0
            ? $"split conformal on log wait ratios; all jobs (only {own.Length} like this one: {group})"
            : $"split conformal on log wait ratios, jobs like this one ({used})";
        return new WaitInterval(Math.Round(low, 1), Math.Round(high, 1), level, n, method, used);
    }

    /// <summary>The Mondrian group: predicted probability (below 0.2, to 0.5, above) and GPU count (1, 2-4, 5 or more).</summary>
    public static string GroupOf(double probability, int gpus) =>
        $"{(probability < 0.2 ? "p<0.2" : probability < 0.5 ? "p 0.2-0.5" : "p>=0.5")}, {(gpus <= 1 ? "1 GPU" : gpus <= 4 ? "2-4 GPUs" : "5+ GPUs")}";

    private static double Score(WaitOutcome h) => Math.Log(1 + h.WaitSeconds) - Math.Log(1 + h.PredictedWaitSeconds);
}
