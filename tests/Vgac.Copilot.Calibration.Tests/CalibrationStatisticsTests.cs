namespace Vgac.Copilot.Calibration.Tests;

public sealed class CalibrationStatisticsTests
{
    [Fact]
    public void ChunkSizes_NotDivisible_FirstChunksOneLarger()
    {
        Assert.Equal([4, 4, 3, 3, 3], EqualMassBinning.ChunkSizes(17, 5));
    }

    [Fact]
    public void StableOrder_Ties_KeepInputOrder()
    {
        Assert.Equal([1, 3, 0, 2], EqualMassBinning.StableOrder([0.5, 0.1, 0.5, 0.1]));
    }

    [Fact]
    public void Compute_PerfectlyCalibratedBins_EceIsZero()
    {
        // Two bins: p = 0.25 with 1 of 4 positive, p = 0.75 with 3 of 4 positive.
        double[] p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
        int[] y = [1, 0, 0, 0, 1, 1, 1, 0];

        var report = CalibrationStatistics.Compute(p, y, bins: 2);

        Assert.Equal(0, report.Ece, 12);
        Assert.Equal(report.Brier, report.BrierReliability - report.BrierResolution + report.BrierUncertainty, 12);
    }

    [Fact]
    public void Compute_TiedScores_AurocUsesAverageRanks()
    {
        var report = CalibrationStatistics.Compute([0.5, 0.5], [0, 1], bins: 1);

        Assert.Equal(0.5, report.Auroc, 12);
    }

    [Fact]
    public void Compute_ProbabilityOutsideUnitInterval_NamesTheIndex()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationStatistics.Compute([0.2, 1.2], [0, 1]));

        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
    }
}
