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
}
