namespace Vgac.Copilot.Calibration;

/// <summary>
/// How the intervals of one level fared on the history, replayed in time order: each finished job scored against the
/// interval it would have been given at its submit time (calibrated only on jobs that had started by then), and the
/// level adapted after each one (adaptive conformal inference: a miss raises the level used, a hit lowers it a little,
/// so that over a long run the misses come to the nominal share whatever the waits do).
/// </summary>
/// <param name="Level">The nominal level (0.9 for 90 %).</param>
/// <param name="AdaptedLevel">The level the replay ends on, used for new intervals; 1 or more means none can be promised.</param>
/// <param name="Replayed">Finished jobs scored in the replay.</param>
/// <param name="Covered">Of them, inside their interval.</param>
/// <param name="RecentJobs">The newest jobs of the replay (up to <see cref="CoverageMonitor.Recent"/>).</param>
/// <param name="RecentCovered">Of them, inside their interval.</param>
public sealed record CoverageMonitor(double Level, double AdaptedLevel, int Replayed, int Covered, int RecentJobs, int RecentCovered)
{
    /// <summary>The newest replayed jobs whose coverage is reported.</summary>
    public const int Recent = 200;

    /// <summary>
    /// How far one job moves the level (γ): at 90 % a miss raises it by 0.45 points and a hit lowers it by 0.05, so it
    /// settles where one job in ten misses.
    /// </summary>
    public const double Step = 0.005;

    /// <summary>Share of the newest replayed jobs inside their interval; null before any was replayed.</summary>
    public double? RecentCoverage => RecentJobs == 0 ? null : (double)RecentCovered / RecentJobs;

    /// <summary>Whether the replay gives a level an interval can be made at.</summary>
    public bool CanPromise => AdaptedLevel < 1;

    /// <summary>Replays <paramref name="timed"/> (jobs with a submit time) at every level in <paramref name="levels"/>.</summary>
    internal static Dictionary<double, CoverageMonitor> Replay(IReadOnlyList<WaitOutcome> timed, IReadOnlyList<double> levels, Func<double, double, int, IReadOnlyList<double>?> scoresAt)
    {
        var bySubmit = timed.OrderBy(h => h.SubmittedAt).ToList();
        var alpha = levels.Select(l => 1 - l).ToArray();
        var covered = new int[levels.Count];
        var hits = new Queue<bool>[levels.Count];
        for (var l = 0; l < levels.Count; l++)
        {
            hits[l] = new Queue<bool>();
        }

        var replayed = 0;
        foreach (var job in bySubmit)
        {
            if (scoresAt(job.SubmittedAt, job.Probability, job.Gpus) is not { } scores)
            {
                continue;
            }

            replayed++;
            for (var l = 0; l < levels.Count; l++)
            {
                var inside = alpha[l] switch
                {
                    <= 0 => true, // the whole line: nothing can fall outside
                    >= 1 => false, // the empty interval
                    var a => ConformalWaits.Bounds(scores, a, job.PredictedWaitSeconds) is not { } b
                        || job.WaitSeconds >= b.Low - 0.05 && job.WaitSeconds <= b.High + 0.05,
                };
                covered[l] += inside ? 1 : 0;
                hits[l].Enqueue(inside);
                if (hits[l].Count > Recent)
                {
                    hits[l].Dequeue();
                }

                alpha[l] += Step * ((1 - levels[l]) - (inside ? 0 : 1));
            }
        }

        var monitors = new Dictionary<double, CoverageMonitor>();
        for (var l = 0; l < levels.Count; l++)
        {
            monitors[levels[l]] = new CoverageMonitor(levels[l], 1 - alpha[l], replayed, covered[l], hits[l].Count, hits[l].Count(h => h));
        }

        return monitors;
    }
}
