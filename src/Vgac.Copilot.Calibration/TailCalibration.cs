namespace Vgac.Copilot.Calibration;

/// <summary>Calibration in the upper tail, where actions are taken: |mean(p) − rate| among samples with p ≥ t.</summary>
public sealed record TailGap(double Threshold, int Count, double MeanPredicted, double ObservedRate)
{
    public double Gap => Count == 0 ? 0 : Math.Abs(ObservedRate - MeanPredicted);
}

/// <summary>Tail gaps, population stability, and ECE over time.</summary>
public static class CalibrationExtras
{
    public static readonly double[] DefaultTailThresholds = [0.5, 0.6, 0.7, 0.8, 0.9];

    public static IReadOnlyList<TailGap> TailGaps(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, IReadOnlyList<double>? thresholds = null)
    {
        thresholds ??= DefaultTailThresholds;
        var result = new List<TailGap>(thresholds.Count);
        foreach (var t in thresholds)
        {
            double sumP = 0, sumY = 0;
            var n = 0;
            for (var i = 0; i < probabilities.Length; i++)
            {
                if (probabilities[i] >= t)
                {
                    sumP += probabilities[i];
                    sumY += labels[i];
                    n++;
                }
            }

            result.Add(new TailGap(t, n, n == 0 ? 0 : sumP / n, n == 0 ? 0 : sumY / n));
        }

        return result;
    }

    /// <summary>
    /// Population stability index of <paramref name="live"/> against <paramref name="reference"/>: 10 bins cut at the
    /// reference's deciles, one pseudo-count added to every bin of both (+1 smoothing), Σ (l − r)·ln(l / r).
    /// </summary>
    public static double Psi(ReadOnlySpan<double> reference, ReadOnlySpan<double> live, int bins = 10)
    {
        if (reference.Length == 0 || live.Length == 0)
        {
            throw new ArgumentException("PSI needs values in both the reference and the live sample.");
        }

        var sorted = reference.ToArray();
        Array.Sort(sorted);
        var edges = new double[bins - 1];
        for (var k = 1; k < bins; k++)
        {
            edges[k - 1] = Quantile(sorted, (double)k / bins);
        }

        var referenceCounts = Count(reference, edges, bins);
        var liveCounts = Count(live, edges, bins);
        var psi = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var r = (referenceCounts[b] + 1.0) / (reference.Length + bins);
            var l = (liveCounts[b] + 1.0) / (live.Length + bins);
            psi += (l - r) * Math.Log(l / r);
        }

        return psi;
    }

    /// <summary>ECE over consecutive windows of <paramref name="window"/> samples (in the order given, oldest first).</summary>
    public static IReadOnlyList<WindowEce> SlidingEce(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int window, int step, int bins = CalibrationStatistics.DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, bins);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        var result = new List<WindowEce>();
        for (var start = 0; start + window <= probabilities.Length; start += step)
        {
            var report = CalibrationStatistics.Compute(probabilities.Slice(start, window), labels.Slice(start, window), bins);
            result.Add(new WindowEce(start, window, report.Ece, report.PositiveRate));
        }

        return result;
    }

    /// <summary>Linear-interpolation quantile of sorted values (numpy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    private static int[] Count(ReadOnlySpan<double> values, double[] edges, int bins)
    {
        var counts = new int[bins];
        foreach (var v in values)
        {
            // Bins are (-inf, e1], (e1, e2], ..., (e9, +inf).
            var b = Array.BinarySearch(edges, v);
            b = b >= 0 ? FirstEqual(edges, b) : ~b;
            counts[b]++;
        }

        return counts;
    }

    private static int FirstEqual(double[] edges, int index)
    {
        while (index > 0 && edges[index - 1] == edges[index])
        {
            index--;
        }

        return index;
    }
}

/// <summary>ECE of one window of a temporal sequence.</summary>
public sealed record WindowEce(int Start, int Count, double Ece, double PositiveRate);
