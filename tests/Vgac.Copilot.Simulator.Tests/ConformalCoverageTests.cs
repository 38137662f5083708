using Vgac.Copilot.Calibration;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Api;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>
/// Coverage measured, not assumed: the conformal wait intervals calibrated on the history VGAC serves (the last
/// 1000 finished jobs) and scored on the jobs that finish in the following day, as the copilot uses them. Several
/// seeds, both scheduler flavours; the naive interval (VGAC's estimate ÷3 to ×3) beside it. Widths are in log
/// seconds, ln(1 + high) − ln(1 + low).
/// </summary>
public sealed class ConformalCoverageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SchedulerType.Kubernetes)]
    [InlineData(SchedulerType.Slurm)]
    public void Intervals_OnTheNextDaysJobs_CoverAtTheirLevel(SchedulerType flavor)
    {
        var tally = ConformalWaits.Levels.ToDictionary(l => l, _ => (Covered: 0, Total: 0, Width: 0.0));
        var naive = (Covered: 0, Total: 0, Width: 0.0);
        foreach (var seed in new[] { 1, 2, 3 })
        {
            using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, Seed = seed, Flavor = flavor, WarmupHours = 120 });
            for (var day = 0; day < 3; day++)
            {
                var history = Finished(sim, since: null);
                var model = ConformalWaits.Fit(history.Select(Outcome));
                var before = sim.Now;
                sim.Advance(TimeSpan.FromHours(24));
                foreach (var job in Finished(sim, since: before).Where(j => j.SubmitTime >= before))
                {
                    var o = Outcome(job);
                    foreach (var level in ConformalWaits.Levels)
                    {
                        if (model.Interval(o.Probability, o.PredictedWaitSeconds, o.Gpus, level, out _) is { } interval)
                        {
                            var t = tally[level];
                            tally[level] = (t.Covered + (o.WaitSeconds >= interval.LowSeconds - 0.05 && o.WaitSeconds <= interval.HighSeconds + 0.05 ? 1 : 0), t.Total + 1, t.Width + Math.Log(1 + interval.HighSeconds) - Math.Log(1 + interval.LowSeconds));
                        }
                    }

                    var (low, high) = (o.PredictedWaitSeconds / 3, o.PredictedWaitSeconds * 3);
                    naive = (naive.Covered + (o.WaitSeconds >= low && o.WaitSeconds <= high ? 1 : 0), naive.Total + 1, naive.Width + Math.Log(1 + high) - Math.Log(1 + low));
                }
            }
        }

        foreach (var (level, t) in tally)
        {
            output.WriteLine($"{flavor} {level:P0}: coverage {(double)t.Covered / t.Total:P1} on {t.Total} jobs, mean width {t.Width / t.Total:0.00} (log seconds)");
        }

        output.WriteLine($"{flavor} naive /3..x3: coverage {(double)naive.Covered / naive.Total:P1}, mean width {naive.Width / naive.Total:0.00} (log seconds)");
        foreach (var (level, t) in tally)
        {
            // The guarantee is coverage of at least the level (two points of slack for a day's drift). The simulator's
            // waits have an atom at zero (most jobs start at once), and an interval cannot split an atom, so the lower
            // levels over-cover; that is reported, not hidden.
            Assert.True(t.Total > 500, $"only {t.Total} scored jobs");
            Assert.True((double)t.Covered / t.Total >= level - 0.02, $"{level:P0} intervals covered {(double)t.Covered / t.Total:P1}");
        }

        // Wider levels are wider, and the naive ÷3..×3 band around VGAC's estimate covers far less than any of them.
        Assert.True(tally[0.80].Width < tally[0.90].Width && tally[0.90].Width < tally[0.95].Width);
        Assert.True((double)naive.Covered / naive.Total < 0.5);
    }

    /// <summary>
    /// Under drift exchangeability fails: the scheduler moves from Kubernetes to Slurm and the model is not refitted.
    /// Intervals calibrated before the move are scored on the first day after it, and intervals re-calibrated on the
    /// newest history on the third: waits keep shifting, so neither covers at its level (the loss, measured and
    /// reported, with how often VGAC's own calibration calls for recalibration by then, when the guards withhold
    /// every interval).
    /// </summary>
    [Fact]
    public void Intervals_AfterASchedulerSwitch_LoseCoverage()
    {
        var recalibrationNeeded = 0;
        var first = (Covered: 0, Total: 0);
        var third = (Covered: 0, Total: 0);
        foreach (var seed in new[] { 1, 2, 3 })
        {
            using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, Seed = seed, WarmupHours = 182 });
            sim.SetDrift(0, autoRefit: false);
            var before = ConformalWaits.Fit(Finished(sim, since: null).Select(Outcome));
            var switched = sim.Now;
            sim.SwitchScheduler(SchedulerType.Slurm);
            sim.Advance(TimeSpan.FromHours(24));
            first = Score(before, Finished(sim, switched).Where(j => j.SubmitTime >= switched), first);
            sim.Advance(TimeSpan.FromHours(24));
            var after = ConformalWaits.Fit(Finished(sim, since: null).Select(Outcome));
            var from = sim.Now;
            sim.Advance(TimeSpan.FromHours(24));
            third = Score(after, Finished(sim, from).Where(j => j.SubmitTime >= from), third);
            recalibrationNeeded += sim.Read(PredictionViews.Calibration).RecalibrationNeeded ? 1 : 0;
        }

        output.WriteLine($"90 % intervals after the switch: day 1 (calibrated before it) {(double)first.Covered / first.Total:P1} on {first.Total} jobs; day 3 (re-calibrated) {(double)third.Covered / third.Total:P1} on {third.Total}; recalibration required by day 3 in {recalibrationNeeded} of 3 seeds");
        Assert.True(first.Total > 300 && third.Total > 300);
        Assert.True((double)first.Covered / first.Total < 0.88, "the switch should cost coverage: the history before it no longer describes the waits");

        static (int, int) Score(ConformalWaits model, IEnumerable<JobInfo> jobs, (int Covered, int Total) tally)
        {
            foreach (var o in jobs.Select(Outcome))
            {
                if (model.Interval(o.Probability, o.PredictedWaitSeconds, o.Gpus, 0.9, out _) is { } i)
                {
                    tally = (tally.Covered + (o.WaitSeconds >= i.LowSeconds - 0.05 && o.WaitSeconds <= i.HighSeconds + 0.05 ? 1 : 0), tally.Total + 1);
                }
            }

            return tally;
        }
    }

    /// <summary>
    /// A trace replay: the Alibaba GPU cluster trace (2023) with its recorded arrival times, from its busy stretch.
    /// Calibrated on the last 1000 finished jobs, scored on the next day's, three days running.
    /// </summary>
    [Fact]
    public void Intervals_OnAlibabaTraceReplay_CoverageMeasured()
    {
        var path = Vgac.Copilot.Testing.TestPaths.DataFile("alibaba-gpu-v2023", "openb_pod_list_default.csv");
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, TracePath = path, TraceTiming = "recorded", TraceStartHours = 2900, WarmupHours = 400 });
        var tally = ConformalWaits.Levels.ToDictionary(l => l, _ => (Covered: 0, Total: 0));
        for (var day = 0; day < 3; day++)
        {
            var model = ConformalWaits.Fit(Finished(sim, since: null).Select(Outcome));
            var before = sim.Now;
            sim.Advance(TimeSpan.FromHours(24));
            foreach (var o in Finished(sim, before).Where(j => j.SubmitTime >= before).Select(Outcome))
            {
                foreach (var level in ConformalWaits.Levels)
                {
                    if (model.Interval(o.Probability, o.PredictedWaitSeconds, o.Gpus, level, out _) is { } i)
                    {
                        var t = tally[level];
                        tally[level] = (t.Covered + (o.WaitSeconds >= i.LowSeconds - 0.05 && o.WaitSeconds <= i.HighSeconds + 0.05 ? 1 : 0), t.Total + 1);
                    }
                }
            }
        }

        foreach (var (level, t) in tally)
        {
            output.WriteLine($"Alibaba trace {level:P0}: coverage {(double)t.Covered / Math.Max(1, t.Total):P1} on {t.Total} jobs");
        }

        Assert.All(tally, kv => Assert.True(kv.Value.Total > 100, $"only {kv.Value.Total} scored jobs at {kv.Key:P0}"));
        Assert.All(tally, kv => Assert.True((double)kv.Value.Covered / kv.Value.Total >= kv.Key - 0.05, $"{kv.Key:P0}: {(double)kv.Value.Covered / kv.Value.Total:P1}"));
    }

    private static List<JobInfo> Finished(Simulation sim, DateTimeOffset? since) =>
        [.. sim.Read(s => JobViews.History(s, 1000, null, null, since)).Jobs
            .Where(j => j.PredictionAtSubmit?.EstimatedWaitSeconds is not null && j.WaitSeconds is not null)
            .OrderBy(j => j.SubmitTime)];

    private static WaitOutcome Outcome(JobInfo j) =>
        new(j.PredictionAtSubmit!.ProbabilityLongWait, j.PredictionAtSubmit.EstimatedWaitSeconds!.Value, j.Gpus, j.WaitSeconds!.Value);
}
