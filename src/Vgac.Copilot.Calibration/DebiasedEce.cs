namespace Vgac.Copilot.Calibration;

/// <summary>
/// An ECE estimate that accounts for sample size and for outcomes that arrive in correlated episodes, with an
/// interval: what drift decisions should rest on instead of plain binned ECE.
/// </summary>
/// <param name="Plain">VGAC's ECE (equal-mass bins, <see cref="CalibrationStatistics.DefaultBins"/>) on the same samples.</param>
/// <param name="Estimate">The debiased ECE: per bin, the gap whose noisy reading the observed one is expected to be, weighted.</param>
/// <param name="Low">Lower end of the two-sided interval at <paramref name="Level"/> (its one-sided lower bound at (1 + level) / 2).</param>
/// <param name="High">Upper end of the interval.</param>
/// <param name="Level">Coverage of the interval, e.g. 0.90.</param>
/// <param name="Samples">Outcomes behind the estimate.</param>
/// <param name="Bins">Equal-mass bins of the debiased estimate (fewer than VGAC's 15 when samples are few).</param>
/// <param name="BlockLength">Consecutive outcomes kept together by the bootstrap, so correlated episodes stay whole.</param>
/// <param name="Replicates">Bootstrap replicates.</param>
public sealed record EceInterval(double Plain, double Estimate, double Low, double High, double Level, int Samples, int Bins, int BlockLength, int Replicates)
{
    /// <summary>How the interval was made, for reports.</summary>
    public string Method => $"debiased ECE, {Bins} equal-mass bins, moving-block bootstrap ({Replicates} replicates, blocks of {BlockLength})";
}

/// <summary>
/// Debiased ECE with a moving-block bootstrap interval. Plain binned ECE reads |gap + noise| in every bin, so at small
/// n it reads high even for a perfectly calibrated model (about √(2/π)·√(p(1−p)/n_b) per bin). The estimator here
/// takes each bin's reading as a draw from a folded normal around the true gap, with the bin's own sampling standard
/// error, and solves for the gap that makes the reading its expected value: readings at the noise level count as no
/// gap, readings well above it count almost in full, so the estimate is close to unbiased both for a calibrated model
/// and for a drifted one. The bootstrap resamples blocks of consecutive outcomes (oldest first), so episodes of
/// correlated waits widen the interval as they should. Deterministic: the same samples and seed give the same interval.
/// </summary>
public static class DebiasedEce
{
    public const double DefaultLevel = 0.95;
    public const int DefaultReplicates = 400;
    public const int DefaultSeed = 20_261_130;

    /// <summary>Fewest samples per bin the estimator aims for; bins shrink below VGAC's 15 to keep at least this many.</summary>
    public const int MinimumPerBin = 40;

    /// <summary>
    /// The estimate and its interval; <paramref name="probabilities"/> and <paramref name="labels"/> in time order,
    /// oldest first (validated as <see cref="CalibrationStatistics.Compute"/> validates them).
    /// </summary>
    public static EceInterval Interval(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, double level = DefaultLevel, int replicates = DefaultReplicates, int seed = DefaultSeed)
    {
        var plain = CalibrationStatistics.ExpectedCalibrationError(probabilities, labels);
        if (level is not (> 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), $"Interval level {level} is outside (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 10);
        var n = probabilities.Length;
        var layout = BinLayout.For(probabilities);
        var estimate = layout.Estimate(probabilities, labels, [.. Enumerable.Range(0, n)]);
        var block = BlockLength(n);
        var random = new Random(seed);
        var draws = new double[replicates];
        var sample = new int[n];
        for (var r = 0; r < replicates; r++)
        {
            // Circular moving blocks: whole runs of consecutive outcomes, started at random, until n are drawn.
            var filled = 0;
            while (filled < n)
            {
                var start = random.Next(n);
                for (var k = 0; k < block && filled < n; k++)
                {
                    sample[filled++] = (start + k) % n;
                }
            }

            draws[r] = layout.Estimate(probabilities, labels, sample);
        }

        Array.Sort(draws);
        var tail = (1 - level) / 2;
        // The bootstrap's spread about its own median, placed around the estimate: resampling duplicates outcomes within
        // blocks, which pushes every replicate's estimate up a little; using only the spread keeps that shift out.
        var median = CalibrationExtras.Quantile(draws, 0.5);
        var low = Math.Max(0, estimate - (median - CalibrationExtras.Quantile(draws, tail)));
        var high = estimate + (CalibrationExtras.Quantile(draws, 1 - tail) - median);
        return new EceInterval(plain, estimate, low, high, level, n, layout.Bins, block, replicates);
    }

    /// <summary>√n consecutive outcomes: long enough to keep a queue episode together, short enough to leave many blocks.</summary>
    public static int BlockLength(int n) => Math.Max(1, (int)Math.Ceiling(Math.Sqrt(n)));

    /// <summary>
    /// The gap g whose noisy reading |g + e|, e ~ N(0, s²), is expected to be <paramref name="observed"/>: the mean of
    /// that folded normal is s·√(2/π)·exp(−g²/2s²) + g·(1 − 2Φ(−g/s)), increasing in g, solved by bisection. A reading
    /// no larger than noise alone (s·√(2/π)) gives 0; a reading far above the noise is returned almost unchanged.
    /// </summary>
    internal static double FoldedGap(double observed, double s)
    {
        if (s <= 0)
        {
            return observed;
        }

        double Expected(double g) => s * Math.Sqrt(2 / Math.PI) * Math.Exp(-g * g / (2 * s * s)) + g * (1 - 2 * NormalCdf(-g / s));
        if (observed <= Expected(0))
        {
            return 0;
        }

        double low = 0, high = observed;
        for (var k = 0; k < 40; k++)
        {
            var middle = (low + high) / 2;
            (low, high) = Expected(middle) < observed ? (middle, high) : (low, middle);
        }

        return (low + high) / 2;
    }

    /// <summary>Φ(x) through the complementary error function (Chebyshev fit, relative error below 1.2e-7).</summary>
    private static double NormalCdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2);
        var t = 1 / (1 + 0.5 * z);
        var erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520203 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /// <summary>Equal-mass bins fixed on the full sample; a bootstrap replicate reuses them and only re-counts.</summary>
    private sealed class BinLayout
    {
        private readonly int[] _binOf;

        private BinLayout(int[] binOf, int bins)
        {
            _binOf = binOf;
            Bins = bins;
        }

        public int Bins { get; }

        public static BinLayout For(ReadOnlySpan<double> probabilities)
        {
            var n = probabilities.Length;
            var bins = Math.Clamp(n / MinimumPerBin, 1, CalibrationStatistics.DefaultBins);
            var order = EqualMassBinning.StableOrder(probabilities);
            var binOf = new int[n];
            var start = 0;
            var bin = 0;
            foreach (var size in EqualMassBinning.ChunkSizes(n, bins))
            {
                for (var k = start; k < start + size; k++)
                {
                    binOf[order[k]] = bin;
                }

                start += size;
                bin++;
            }

            return new BinLayout(binOf, bins);
        }

        /// <summary>Σ_b w_b·ĝ_b over the drawn samples, ĝ_b the folded-normal gap of bin b.</summary>
        public double Estimate(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int[] drawn)
        {
            Span<double> sumP = stackalloc double[Bins];
            Span<double> sumY = stackalloc double[Bins];
            Span<int> count = stackalloc int[Bins];
            foreach (var i in drawn)
            {
                var b = _binOf[i];
                sumP[b] += probabilities[i];
                sumY[b] += labels[i];
                count[b]++;
            }

            var total = 0.0;
            for (var b = 0; b < Bins; b++)
            {
                if (count[b] < 2)
                {
                    continue;
                }

                var meanP = sumP[b] / count[b];
                var rate = sumY[b] / count[b];
                var gap = FoldedGap(Math.Abs(rate - meanP), Math.Sqrt(rate * (1 - rate) / (count[b] - 1)));
                total += (double)count[b] / drawn.Length * gap;
            }

            return total;
        }
    }
}
