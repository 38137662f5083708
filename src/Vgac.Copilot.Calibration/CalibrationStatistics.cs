namespace Vgac.Copilot.Calibration;

/// <summary>
/// The metrics of VGAC's calibration work, with the definitions of <c>data/README.md</c>: equal-mass bins
/// (15 by default), ECE and MCE weighted by bin size, Murphy's decomposition of the Brier score on the same bins,
/// AUROC with average ranks for ties, AUPRC as average precision. O(n log n): one sort.
/// </summary>
public static class CalibrationStatistics
{
    public const int DefaultBins = 15;

    public static CalibrationReport Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = DefaultBins)
    {
        Validate(probabilities, labels, bins);
        var n = probabilities.Length;
        var order = EqualMassBinning.StableOrder(probabilities);

        var positives = 0;
        var brier = 0.0;
        for (var i = 0; i < n; i++)
        {
            positives += labels[i];
            var d = probabilities[i] - labels[i];
            brier += d * d;
        }

        var baseRate = (double)positives / n;
        var curve = new List<ReliabilityBin>(bins);
        double ece = 0, mce = 0, reliability = 0, resolution = 0;
        var start = 0;
        foreach (var size in EqualMassBinning.ChunkSizes(n, bins))
        {
            double sumP = 0, sumY = 0;
            for (var k = start; k < start + size; k++)
            {
                sumP += probabilities[order[k]];
                sumY += labels[order[k]];
            }

            var meanP = sumP / size;
            var rate = sumY / size;
            var weight = (double)size / n;
            var gap = Math.Abs(rate - meanP);
            ece += weight * gap;
            mce = Math.Max(mce, gap);
            reliability += weight * (meanP - rate) * (meanP - rate);
            resolution += weight * (rate - baseRate) * (rate - baseRate);
            curve.Add(new ReliabilityBin(size, meanP, rate, probabilities[order[start]], probabilities[order[start + size - 1]]));
            start += size;
        }

        return new CalibrationReport(
            n, baseRate, ece, mce, brier / n, reliability, resolution, baseRate * (1 - baseRate),
            Auroc(probabilities, labels, order, positives), Auprc(probabilities, labels, order, positives), curve);
    }

    /// <summary>ECE alone, on equal-mass bins.</summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = DefaultBins) =>
        Compute(probabilities, labels, bins).Ece;

    /// <summary>Area under the ROC curve (Mann–Whitney U, ties by average rank). NaN when one class is absent.</summary>
    private static double Auroc(ReadOnlySpan<double> p, ReadOnlySpan<int> y, int[] order, int positives)
    {
        var negatives = p.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        double rankSumPositives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && p[order[j + 1]] == p[order[i]])
            {
                j++;
            }

            var averageRank = (i + j + 2) / 2.0; // ranks are 1-based
            for (var k = i; k <= j; k++)
            {
                if (y[order[k]] == 1)
                {
                    rankSumPositives += averageRank;
                }
            }

            i = j + 1;
        }

        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Average precision: Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds, highest first. NaN without positives.</summary>
    private static double Auprc(ReadOnlySpan<double> p, ReadOnlySpan<int> y, int[] order, int positives)
    {
        if (positives == 0)
        {
            return double.NaN;
        }

        double ap = 0, previousRecall = 0;
        int truePositives = 0, predicted = 0;
        var i = order.Length - 1;
        while (i >= 0)
        {
            var j = i;
            while (j - 1 >= 0 && p[order[j - 1]] == p[order[i]])
            {
                j--;
            }

            for (var k = j; k <= i; k++)
            {
                truePositives += y[order[k]];
                predicted++;
            }

            var recall = (double)truePositives / positives;
            ap += (recall - previousRecall) * truePositives / predicted;
            previousRecall = recall;
            i = j - 1;
        }

        return ap;
    }

    private static void Validate(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities but {labels.Length} labels.", nameof(labels));
        }

        if (probabilities.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(probabilities));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(probabilities), $"Probability at index {i} is {probabilities[i]}, outside [0, 1].");
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label at index {i} is {labels[i]}, expected 0 or 1.");
            }
        }
    }
}
