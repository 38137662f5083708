using System.Globalization;

namespace Vgac.Copilot.Calibration;

/// <summary>A finished job as the history keeps it: what was predicted at submit time, and the wait that followed.</summary>
/// <param name="Probability">P(long wait) at submit.</param>
/// <param name="PredictedWaitSeconds">The wait VGAC estimated at submit.</param>
/// <param name="Gpus">GPUs asked for.</param>
/// <param name="WaitSeconds">The wait that followed.</param>
/// <param name="SubmittedAt">When it was submitted, in seconds on any fixed clock; NaN when unknown (then it is not replayed).</param>
public readonly record struct WaitOutcome(double Probability, double PredictedWaitSeconds, int Gpus, double WaitSeconds, double SubmittedAt = double.NaN)
{
    /// <summary>When its wait became known: it started.</summary>
    public double KnownAt => SubmittedAt + WaitSeconds;
}

/// <summary>
/// "Starts within 12-40 min (90 %)": a wait interval with its level, the finished jobs behind it, and how it was made.
/// </summary>
/// <param name="LowSeconds">The wait it will at least be.</param>
/// <param name="HighSeconds">The wait it will at most be.</param>
/// <param name="Level">The share of waits such intervals cover (0.9 for 90 %).</param>
/// <param name="Samples">Finished jobs the interval was calibrated on.</param>
/// <param name="Method">How it was made, for people.</param>
/// <param name="Group">The jobs it was calibrated on: a group of similar jobs, or <c>all</c> when the group had too few.</param>
/// <param name="AdaptedLevel">The level the quantiles were taken at after replaying the history (see <see cref="CoverageMonitor"/>); null when not adapted.</param>
/// <param name="RecentCoverage">Share of the newest replayed jobs that fell inside their own interval at this level; null when not replayed.</param>
public sealed record WaitInterval(double LowSeconds, double HighSeconds, double Level, int Samples, string Method, string Group, double? AdaptedLevel = null, double? RecentCoverage = null)
{
    /// <summary>"within 4 min" or "in 12-40 min": the tail of a sentence that starts "Starts".</summary>
    public string When() => LowSeconds < 1
        ? string.Create(CultureInfo.InvariantCulture, $"within {HighSeconds / 60:0.#} min")
        : string.Create(CultureInfo.InvariantCulture, $"in {LowSeconds / 60:0.#}-{HighSeconds / 60:0.#} min");
}

/// <summary>What <see cref="ConformalWaits"/> is made from: the sorted scores of each group and of all jobs, and the replay's monitors.</summary>
/// <param name="Groups">Sorted scores by group.</param>
/// <param name="All">Sorted scores of every job.</param>
/// <param name="Monitors">How each level fared on the replayed history.</param>
public sealed record ConformalWaitsState(IReadOnlyDictionary<string, double[]> Groups, double[] All, IReadOnlyList<CoverageMonitor> Monitors);

/// <summary>
/// Split-conformal intervals for the wait, calibrated on the job history (the prediction made at submit time and the
/// wait that followed). The score of a finished job is the log ratio of its wait to the wait predicted for it,
/// ln(1 + w) − ln(1 + ŵ); an interval at level 1 − α takes the ⌊(n + 1)α/2⌋-th and ⌈(n + 1)(1 − α/2)⌉-th smallest
/// scores of its group and maps them back around the new prediction, so each tail holds at most α/2 and the interval
/// covers the wait with probability at least 1 − α whenever the new job is exchangeable with the history.
/// Conditional where the data allow (Mondrian): groups by predicted probability and GPU count, falling back to all
/// jobs when a group has fewer than <see cref="MinimumGroupSamples"/>. When the history carries submit times the level
/// is adapted to how the intervals actually fared on it (<see cref="CoverageMonitor"/>): drift that makes waits outrun
/// the history widens the intervals, or withholds them, instead of quietly losing coverage.
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

    private ConformalWaits(Dictionary<string, double[]> scores, double[] all, IReadOnlyDictionary<double, CoverageMonitor> monitors) =>
        (_scores, _all, Monitors) = (scores, all, monitors);

    /// <summary>Finished jobs behind the intervals.</summary>
    public int Samples => _all.Length;

    /// <summary>How each level's intervals fared on the history replayed in time order; empty when it had no submit times.</summary>
    public IReadOnlyDictionary<double, CoverageMonitor> Monitors { get; }

    /// <summary>Everything the intervals are made from, to be kept and brought back (<see cref="FromState"/>).</summary>
    public ConformalWaitsState State => new(_scores, _all, [.. Monitors.Values]);

    /// <summary>
    /// The intervals from a kept <paramref name="state"/>, or null when it is not one <see cref="Fit"/> could have made
    /// (unknown groups, unsorted or non-finite scores, more than <see cref="MaximumStateScores"/>, monitors off their
    /// levels or out of range): a kept state is read back from disk and trusted no further than it checks out.
    /// </summary>
    public static ConformalWaits? FromState(ConformalWaitsState? state)
    {
        if (state?.Groups is null || state.All is null || state.Monitors is null || state.All.Length > MaximumStateScores
            || state.Groups.Count > 9 || state.Groups.Values.Sum(g => g?.Length ?? 0) != state.All.Length
            || !Sorted(state.All) || state.Groups.Any(g => g.Value is null || !KnownGroup(g.Key) || !Sorted(g.Value)))
        {
            return null;
        }

        var monitors = new Dictionary<double, CoverageMonitor>();
        foreach (var m in state.Monitors)
        {
            if (m is null || !Levels.Contains(m.Level) || !double.IsFinite(m.AdaptedLevel) || m.AdaptedLevel is < -10 or > 10
                || m.Replayed < 0 || m.Covered < 0 || m.Covered > m.Replayed || m.RecentJobs is < 0 or > CoverageMonitor.Recent
                || m.RecentCovered < 0 || m.RecentCovered > m.RecentJobs || !monitors.TryAdd(m.Level, m))
            {
                return null;
            }
        }

        return new ConformalWaits(state.Groups.ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal), state.All, monitors);

        static bool Sorted(double[] scores)
        {
            for (var i = 0; i < scores.Length; i++)
            {
                if (!double.IsFinite(scores[i]) || Math.Abs(scores[i]) > 50 || i > 0 && scores[i] < scores[i - 1])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The lowest level quantiles are taken at for an interval shown, whatever the adaptation says.</summary>
    public const double MinimumQuantileLevel = 0.5;

    /// <summary>A kept state with more scores than this is refused (the history holds a few thousand jobs at most).</summary>
    public const int MaximumStateScores = 20_000;

    private static bool KnownGroup(string? key) =>
        key is not null && new[] { 0.1, 0.3, 0.7 }.SelectMany(p => new[] { 1, 2, 8 }.Select(g => GroupOf(p, g))).Contains(key, StringComparer.Ordinal);

    /// <summary>Calibrates on finished jobs (any order; the scores are sorted).</summary>
    /// <param name="history">Finished jobs.</param>
    /// <param name="adaptive">Replay the jobs with a submit time and adapt each level to how it fared (the default).</param>
    public static ConformalWaits Fit(IEnumerable<WaitOutcome> history, bool adaptive = true)
    {
        var usable = history.Where(h => double.IsFinite(h.WaitSeconds) && h.WaitSeconds >= 0 && double.IsFinite(h.PredictedWaitSeconds) && h.PredictedWaitSeconds >= 0
            && h.Probability is >= 0 and <= 1).ToList();
        var scores = usable.GroupBy(h => GroupOf(h.Probability, h.Gpus), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(Score).Order().ToArray(), StringComparer.Ordinal);
        var timed = usable.Where(h => double.IsFinite(h.SubmittedAt)).ToList();
        var monitors = adaptive && timed.Count >= MinimumSamples
            ? CoverageMonitor.Replay(timed, Levels, new Replayer(timed).ScoresAt)
            : new Dictionary<double, CoverageMonitor>();
        return new ConformalWaits(scores, [.. usable.Select(Score).Order()], monitors);
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

        var monitor = Monitors.GetValueOrDefault(level);
        if (monitor is { CanPromise: false })
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"waits have lately outrun the history: {monitor.RecentCovered} of the last {monitor.RecentJobs} finished jobs fell inside their {level:P0} interval");
            return null;
        }

        // A long run of covered jobs can drive the adapted level down without end (adaptation's price for its guarantee);
        // what is shown never rests on less than the median of the scores.
        var quantileLevel = Math.Max(MinimumQuantileLevel, monitor?.AdaptedLevel ?? level);
        if (Bounds(scores, 1 - quantileLevel, predictedWaitSeconds) is not { } bounds)
        {
            reason = $"{scores.Length} finished jobs are too few for a {level:P0} interval";
            return null;
        }

        reason = null;
        var method = used == "all" && own.Length > 0
            ? $"split conformal on log wait ratios; all jobs (only {own.Length} like this one: {group})"
            : $"split conformal on log wait ratios, jobs like this one ({used})";
        if (monitor is not null)
        {
            method += string.Create(CultureInfo.InvariantCulture,
                $"; adapted to how the intervals fared on the last {monitor.RecentJobs} finished jobs ({monitor.RecentCoverage:P0} inside), quantiles at {quantileLevel:P1}");
        }

        return new WaitInterval(Math.Round(bounds.Low, 1), Math.Round(bounds.High, 1), level, scores.Length, method, used,
            monitor is null ? null : Math.Round(monitor.AdaptedLevel, 4), monitor?.RecentCoverage is { } c ? Math.Round(c, 4) : null);
    }

    /// <summary>
    /// The interval at miscoverage <paramref name="alpha"/> around a prediction, from sorted scores; null when the scores
    /// are too few for it (the interval would be the whole line).
    /// </summary>
    internal static (double Low, double High)? Bounds(IReadOnlyList<double> scores, double alpha, double predictedWaitSeconds)
    {
        var n = scores.Count;
        var lowRank = (int)Math.Floor((n + 1) * alpha / 2);
        var highRank = (int)Math.Ceiling((n + 1) * (1 - alpha / 2));
        if (highRank > n)
        {
            return null;
        }

        var baseLog = Math.Log(1 + Math.Max(0, predictedWaitSeconds));
        var low = lowRank < 1 ? 0 : Math.Max(0, Math.Exp(baseLog + scores[lowRank - 1]) - 1);
        var high = Math.Max(low, Math.Exp(baseLog + scores[Math.Max(1, highRank) - 1]) - 1);
        if (low < 1)
        {
            // Most jobs start at once, so the lower end falls on zero and its α/2 would be spent on nothing: the interval
            // is "starts within high", with the whole α in the upper tail (the ⌈(n + 1)(1 − α)⌉-th score).
            var rank = Math.Clamp((int)Math.Ceiling((n + 1) * (1 - alpha)), 1, n);
            (low, high) = (0, Math.Max(0, Math.Exp(baseLog + scores[rank - 1]) - 1));
        }

        return (low, high);
    }

    /// <summary>
    /// The history as it stood at each moment of the replay: the scores of the jobs that had started by then, by group,
    /// kept sorted as they arrive. Calls must come in submit-time order.
    /// </summary>
    private sealed class Replayer(List<WaitOutcome> timed)
    {
        private readonly List<WaitOutcome> _byKnown = [.. timed.OrderBy(h => h.KnownAt)];
        private readonly List<double> _all = [];
        private readonly Dictionary<string, List<double>> _groups = new(StringComparer.Ordinal);
        private int _next;

        public IReadOnlyList<double>? ScoresAt(double submittedAt, double probability, int gpus)
        {
            for (; _next < _byKnown.Count && _byKnown[_next].KnownAt <= submittedAt; _next++)
            {
                var known = _byKnown[_next];
                var score = Score(known);
                Insert(_all, score);
                var key = GroupOf(known.Probability, known.Gpus);
                if (!_groups.TryGetValue(key, out var group))
                {
                    _groups[key] = group = [];
                }

                Insert(group, score);
            }

            var own = _groups.GetValueOrDefault(GroupOf(probability, gpus));
            var scores = own is { Count: >= MinimumGroupSamples } ? own : _all;
            return scores.Count >= MinimumSamples ? scores : null;
        }

        private static void Insert(List<double> sorted, double value)
        {
            var at = sorted.BinarySearch(value);
            sorted.Insert(at < 0 ? ~at : at, value);
        }
    }

    /// <summary>The Mondrian group: predicted probability (below 0.2, to 0.5, above) and GPU count (1, 2-4, 5 or more).</summary>
    public static string GroupOf(double probability, int gpus) =>
        $"{(probability < 0.2 ? "p<0.2" : probability < 0.5 ? "p 0.2-0.5" : "p>=0.5")}, {(gpus <= 1 ? "1 GPU" : gpus <= 4 ? "2-4 GPUs" : "5+ GPUs")}";

    private static double Score(WaitOutcome h) => Math.Log(1 + h.WaitSeconds) - Math.Log(1 + h.PredictedWaitSeconds);
}
