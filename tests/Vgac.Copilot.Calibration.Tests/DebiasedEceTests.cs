using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Calibration.Tests;

/// <summary>The debiased estimator and its interval, on synthetic outcomes of known calibration (fixed seeds).</summary>
public sealed class DebiasedEceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(200)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void Estimate_PerfectlyCalibrated_FarBelowPlainEce(int n)
    {
        var runs = Enumerable.Range(0, 40).Select(seed => Interval(n, seed, 0)).ToList();

        var plain = runs.Average(r => r.Plain);
        var debiased = runs.Average(r => r.Estimate);
        output.WriteLine($"n={n}: plain {plain:0.0000}, debiased {debiased:0.0000}");
        // Plain ECE is all noise here; the debiased estimate removes a good part of it (the rest is left to the interval).
        Assert.True(debiased < plain * 0.7, $"debiased {debiased:0.0000} vs plain {plain:0.0000}");
    }

    /// <summary>
    /// Under real miscalibration the estimate stays near the truth, and the interval covers the truth about as often as
    /// its level says.
    /// </summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Interval_KnownMiscalibration_NearTheTruth_AndCoversIt(double bias)
    {
        var truth = SyntheticOutcomes.TrueEce(bias);
        var runs = Enumerable.Range(0, 40).Select(seed => Interval(1000, seed, bias)).ToList();

        var mean = runs.Average(r => r.Estimate);
        var covered = runs.Count(r => r.Low <= truth && truth <= r.High);
        output.WriteLine($"bias {bias}: truth {truth:0.0000}, plain {runs.Average(r => r.Plain):0.0000}, debiased {mean:0.0000}, covered {covered}/40");
        Assert.InRange(mean / truth, 0.9, 1.05);
        Assert.True(covered >= 34, $"the 95 % interval covered the true ECE in {covered} of 40 runs");
    }

    [Fact]
    public void Interval_SameSamplesAndSeed_SameInterval_AndItHoldsTheEstimate()
    {
        var (p, y) = SyntheticOutcomes.Draw(800, seed: 3, logitBias: 0.4, correlated: true);

        var first = DebiasedEce.Interval(p, y);
        var second = DebiasedEce.Interval(p, y);

        Assert.Equal(first, second);
        Assert.InRange(first.Estimate, first.Low, first.High);
        Assert.Equal(15, first.Bins);
        Assert.Equal(29, first.BlockLength);
    }

    [Fact]
    public void Interval_CorrelatedEpisodes_WiderThanIndependentOutcomes()
    {
        double Width(bool correlated) => Enumerable.Range(0, 20).Average(seed =>
        {
            var (p, y) = SyntheticOutcomes.Draw(1000, seed, 0.5, correlated);
            var i = DebiasedEce.Interval(p, y);
            return i.High - i.Low;
        });

        Assert.True(Width(correlated: true) > Width(correlated: false));
    }

    [Fact]
    public void Interval_FewSamples_FewerBinsSoEachHoldsEnough()
    {
        var (p, y) = SyntheticOutcomes.Draw(200, seed: 1);

        Assert.Equal(5, DebiasedEce.Interval(p, y).Bins);
    }

    [Fact]
    public void Interval_BadLevel_Refused()
    {
        var (p, y) = SyntheticOutcomes.Draw(100, seed: 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => DebiasedEce.Interval(p, y, level: 1.5));
        Assert.Contains("1.5", ex.Message, StringComparison.Ordinal);
    }

    private static EceInterval Interval(int n, int seed, double bias)
    {
        var (p, y) = SyntheticOutcomes.Draw(n, seed, bias);
        return DebiasedEce.Interval(p, y, seed: seed);
    }
}
