namespace Vgac.Copilot.Testing;

/// <summary>
/// Predictions and outcomes with a known calibration, for statistical tests with fixed seeds. The predicted logit
/// either varies independently per job or wanders (an AR(1) process, as queue congestion makes consecutive waits
/// alike); the outcome is drawn from the prediction shifted by <c>logitBias</c> (0: perfectly calibrated).
/// </summary>
public static class SyntheticOutcomes
{
    public static (double[] Probabilities, int[] Labels) Draw(int n, int seed, double logitBias = 0, bool correlated = false)
    {
        var random = new Random(seed);
        var probabilities = new double[n];
        var labels = new int[n];
        var z = 0.0;
        for (var i = 0; i < n; i++)
        {
            z = correlated ? 0.97 * z + 0.25 * Normal(random) : Normal(random);
            var logit = -0.8 + 1.2 * z;
            probabilities[i] = Sigmoid(logit);
            labels[i] = random.NextDouble() < Sigmoid(logit + logitBias) ? 1 : 0;
        }

        return (probabilities, labels);
    }

    /// <summary>The ECE the bias causes, measured on a very large sample (the truth an estimate aims at).</summary>
    public static double TrueEce(double logitBias, bool correlated = false)
    {
        // Expected outcome instead of a draw: no sampling noise, so plain binned ECE is the population ECE.
        var random = new Random(1);
        const int n = 200_000;
        var p = new double[n];
        var truth = new double[n];
        var z = 0.0;
        for (var i = 0; i < n; i++)
        {
            z = correlated ? 0.97 * z + 0.25 * Normal(random) : Normal(random);
            var logit = -0.8 + 1.2 * z;
            p[i] = Sigmoid(logit);
            truth[i] = Sigmoid(logit + logitBias);
        }

        Array.Sort(p, truth);
        const int bins = 15;
        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var (from, to) = (b * n / bins, (b + 1) * n / bins);
            double gap = 0;
            for (var i = from; i < to; i++)
            {
                gap += truth[i] - p[i];
            }

            ece += Math.Abs(gap) / n;
        }

        return ece;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
