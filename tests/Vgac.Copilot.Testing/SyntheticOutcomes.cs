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
        var i = 0;
        foreach (var logit in Logits(random, n, correlated))
        {
            probabilities[i] = Sigmoid(logit);
            labels[i++] = random.NextDouble() < Sigmoid(logit + logitBias) ? 1 : 0;
        }

        return (probabilities, labels);
    }

    /// <summary>The ECE the bias causes, measured on a very large sample (the truth an estimate aims at).</summary>
    public static double TrueEce(double logitBias, bool correlated = false)
    {
        // Expected outcome instead of a draw: no sampling noise, so plain binned ECE is the population ECE.
        const int n = 200_000;
        var logits = Logits(new Random(1), n, correlated).ToArray();
        var p = logits.Select(Sigmoid).ToArray();
        var truth = logits.Select(l => Sigmoid(l + logitBias)).ToArray();
        Array.Sort(p, truth);
        const int bins = 15;
        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var gap = 0.0;
            for (var k = b * n / bins; k < (b + 1) * n / bins; k++)
            {
                gap += truth[k] - p[k];
            }

            ece += Math.Abs(gap) / n;
        }

        return ece;
    }

    private static IEnumerable<double> Logits(Random random, int n, bool correlated)
    {
        var z = 0.0;
        for (var i = 0; i < n; i++)
        {
            z = correlated ? 0.97 * z + 0.25 * Normal(random) : Normal(random);
            yield return -0.8 + 1.2 * z;
        }
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
