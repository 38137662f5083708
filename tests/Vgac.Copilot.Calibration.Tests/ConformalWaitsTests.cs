namespace Vgac.Copilot.Calibration.Tests;

public sealed class ConformalWaitsTests
{
    [Fact]
    public void Interval_ExchangeableHistory_CoversAtItsLevel()
    {
        // Waits log-normally spread around the prediction: a new job drawn the same way is covered at the level.
        var random = new Random(5);
        WaitOutcome Draw()
        {
            var predicted = 60 + random.NextDouble() * 1200;
            var wait = (1 + predicted) * Math.Exp(0.8 * Testing.SyntheticOutcomes.Normal(random)) - 1;
            return new WaitOutcome(0.4, predicted, 2, wait);
        }

        var model = ConformalWaits.Fit([.. Enumerable.Range(0, 2000).Select(_ => Draw())]);
        foreach (var level in ConformalWaits.Levels)
        {
            var tests = Enumerable.Range(0, 4000).Select(_ => Draw()).ToList();
            var covered = tests.Count(t => model.Interval(t.Probability, t.PredictedWaitSeconds, t.Gpus, level, out _) is { } i && t.WaitSeconds >= i.LowSeconds - 0.05 && t.WaitSeconds <= i.HighSeconds + 0.05);
            Assert.InRange(covered / (double)tests.Count, level - 0.02, level + 0.02);
        }
    }

    [Fact]
    public void Interval_GroupWithFewJobs_UsesAllJobsAndSaysSo()
    {
        var history = Enumerable.Range(0, 300).Select(i => new WaitOutcome(0.1, 100, 1, 50 + i)).Append(new WaitOutcome(0.9, 100, 8, 900)).ToList();
        var model = ConformalWaits.Fit(history);

        var own = model.Interval(0.1, 100, 1, 0.9, out _)!;
        var pooled = model.Interval(0.9, 100, 8, 0.9, out _)!;

        Assert.Equal("p<0.2, 1 GPU", own.Group);
        Assert.Equal("all", pooled.Group);
        Assert.Contains("only 1 like this one: p>=0.5, 5+ GPUs", pooled.Method, StringComparison.Ordinal);
        Assert.Equal(301, pooled.Samples);
    }

    [Fact]
    public void Interval_TooFewFinishedJobs_NoneAndTheReason()
    {
        var model = ConformalWaits.Fit(Enumerable.Range(0, 37).Select(i => new WaitOutcome(0.3, 100, 1, i)));

        Assert.Null(model.Interval(0.3, 100, 1, 0.9, out var reason));
        Assert.Equal("only 37 finished jobs with a submit-time prediction in the history; an interval needs 50", reason);
    }

    [Fact]
    public void Interval_MostJobsStartAtOnce_OneSidedStartsWithin()
    {
        var history = Enumerable.Range(0, 400).Select(i => new WaitOutcome(0.1, 120, 1, i % 10 == 0 ? 600 + i : 0)).ToList();

        var interval = ConformalWaits.Fit(history).Interval(0.1, 120, 1, 0.8, out _)!;

        Assert.Equal(0, interval.LowSeconds);
        Assert.True(interval.HighSeconds < 120, $"{interval.HighSeconds}");
    }

    [Fact]
    public void Fit_WaitsOutrunTheHistory_AdaptedLevelRisesAndIntervalWidens()
    {
        // Waits spread evenly around the prediction, then (from job 600) three times longer: the replay misses often
        // after the change and the level it ends on is raised above the nominal one.
        var random = new Random(11);
        var history = Enumerable.Range(0, 1000).Select(i => new WaitOutcome(0.4, 300, 2,
            300 * Math.Exp(0.5 * Testing.SyntheticOutcomes.Normal(random)) * (i >= 600 ? 3 : 1), SubmittedAt: i * 60.0)).ToList();

        var adapted = ConformalWaits.Fit(history);
        var plain = ConformalWaits.Fit(history, adaptive: false);

        var monitor = adapted.Monitors[0.9];
        Assert.True(monitor.AdaptedLevel > 0.93, $"adapted level {monitor.AdaptedLevel}");
        // Having adapted, the newest jobs are covered near the level again.
        Assert.InRange(monitor.RecentCoverage!.Value, 0.85, 0.97);
        var wide = adapted.Interval(0.4, 300, 2, 0.9, out _)!;
        var narrow = plain.Interval(0.4, 300, 2, 0.9, out _)!;
        Assert.True(wide.HighSeconds > narrow.HighSeconds, $"{wide.HighSeconds} vs {narrow.HighSeconds}");
        Assert.Equal(monitor.AdaptedLevel, wide.AdaptedLevel!.Value, 4);
        Assert.Contains("adapted to how the intervals fared", wide.Method, StringComparison.Ordinal);
        Assert.Null(narrow.AdaptedLevel);
    }

    [Fact]
    public void Fit_ExchangeableTimedHistory_AdaptedIntervalsStillCoverAtTheirLevel()
    {
        var random = new Random(5);
        var clock = 0.0;
        WaitOutcome Draw()
        {
            var predicted = 60 + random.NextDouble() * 1200;
            return new WaitOutcome(0.4, predicted, 2, (1 + predicted) * Math.Exp(0.8 * Testing.SyntheticOutcomes.Normal(random)) - 1, SubmittedAt: clock += 30);
        }

        var model = ConformalWaits.Fit([.. Enumerable.Range(0, 2000).Select(_ => Draw())]);
        foreach (var level in ConformalWaits.Levels)
        {
            Assert.InRange(model.Monitors[level].AdaptedLevel, level - 0.05, Math.Min(0.999, level + 0.05));
            var tests = Enumerable.Range(0, 4000).Select(_ => Draw()).ToList();
            var covered = tests.Count(t => model.Interval(t.Probability, t.PredictedWaitSeconds, t.Gpus, level, out _) is { } i && t.WaitSeconds >= i.LowSeconds - 0.05 && t.WaitSeconds <= i.HighSeconds + 0.05);
            Assert.InRange(covered / (double)tests.Count, level - 0.03, level + 0.03);
        }
    }

    [Fact]
    public void Interval_WaitsFarBeyondEveryInterval_WithheldWithTheReason()
    {
        // Every recent wait is a hundred times the history's: no level can be promised.
        var history = Enumerable.Range(0, 1000).Select(i => new WaitOutcome(0.4, 300, 2, i < 200 ? 300 : 30000 + i, SubmittedAt: i * 600.0)).ToList();

        var model = ConformalWaits.Fit(history);

        Assert.False(model.Monitors[0.9].CanPromise);
        Assert.Null(model.Interval(0.4, 300, 2, 0.9, out var reason));
        Assert.StartsWith("waits have lately outrun the history: ", reason, StringComparison.Ordinal);
        Assert.Contains("of the last 200 finished jobs fell inside their 90 % interval", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NoSubmitTimes_NotAdapted()
    {
        var model = ConformalWaits.Fit(Enumerable.Range(0, 300).Select(i => new WaitOutcome(0.1, 100, 1, 50 + i)));

        Assert.Empty(model.Monitors);
        Assert.Null(model.Interval(0.1, 100, 1, 0.9, out _)!.AdaptedLevel);
    }

    [Fact]
    public void Interval_EveryReplayedJobCovered_AdaptationBottomsOutAtTheMedian()
    {
        // 3000 jobs that all start at once: each is covered, so the 80 % level's α grows by 0.001 a job until it reaches
        // 1 (the empty interval, which misses) and stays there: the adapted level is about 0.
        var model = ConformalWaits.Fit(Enumerable.Range(0, 3000).Select(i => new WaitOutcome(0.1, 120, 1, 0, SubmittedAt: i * 60.0)));

        Assert.InRange(model.Monitors[0.8].AdaptedLevel, -0.01, 0.01);
        var interval = model.Interval(0.1, 120, 1, 0.8, out var reason);

        Assert.NotNull(interval);
        Assert.Null(reason);
        Assert.Equal((0, 0), (interval.LowSeconds, interval.HighSeconds));
        Assert.EndsWith("quantiles at 50.0 %", interval.Method, StringComparison.Ordinal);
    }
}
