using System.Globalization;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Calibration.Tests;

/// <summary>The reference values published in <c>data/README.md</c>, reproduced to 1e-6.</summary>
public sealed class ReferenceValueTests
{
    public static TheoryData<string, int, double, double, double, double, double, double, double, double> References => new()
    {
        { "eks_dec_sample.csv", 500, 0.34, 0.333851, 0.613672, 0.141321, 0.132265, 0.215915, 0.2244, 1.0 },
        { "slurm_sample.csv", 555, 0.100901, 0.261733, 0.433934, 0.098081, 0.081085, 0.074065, 0.090720, 1.0 },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void Compute_SharedSample_ReproducesPublishedValues(
        string file, int n, double positiveRate, double ece, double mce, double brier, double reliability, double resolution, double uncertainty, double auroc)
    {
        var (p, y) = ReadSample(TestPaths.DataFile("vgac-samples", file));

        var report = CalibrationStatistics.Compute(p, y);

        Assert.Equal(n, report.N);
        Assert.Equal(positiveRate, report.PositiveRate, 1e-6);
        Assert.Equal(ece, report.Ece, 1e-6);
        Assert.Equal(mce, report.Mce, 1e-6);
        Assert.Equal(brier, report.Brier, 1e-6);
        Assert.Equal(reliability, report.BrierReliability, 1e-6);
        Assert.Equal(resolution, report.BrierResolution, 1e-6);
        Assert.Equal(uncertainty, report.BrierUncertainty, 1e-6);
        Assert.Equal(auroc, report.Auroc, 1e-6);
        Assert.Equal(15, report.ReliabilityCurve.Count);
        Assert.Equal(n, report.ReliabilityCurve.Sum(b => b.Count));
    }

    internal static (double[] P, int[] Y) ReadSample(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var pi = Array.IndexOf(header, "raw_score");
        var yi = Array.IndexOf(header, "label_long_wait");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        return (
            [.. rows.Select(r => double.Parse(r[pi], CultureInfo.InvariantCulture))],
            [.. rows.Select(r => (int)double.Parse(r[yi], CultureInfo.InvariantCulture))]);
    }
}
