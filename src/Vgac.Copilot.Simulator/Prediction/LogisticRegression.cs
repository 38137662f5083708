namespace Vgac.Copilot.Simulator.Prediction;

/// <summary>
/// Binary logistic regression on standardized features, fitted by Newton–Raphson (IRLS) with a small L2
/// penalty. Small and exact: the simulator has two features, so the Hessian is 3×3.
/// </summary>
internal sealed class LogisticRegression
{
    private readonly double[] _mean;
    private readonly double[] _scale;

    private LogisticRegression(double[] weights, double[] mean, double[] scale)
    {
        Weights = weights;
        _mean = mean;
        _scale = scale;
    }

    /// <summary>Intercept first, then one weight per standardized feature.</summary>
    public double[] Weights { get; }

    /// <summary>
    /// Fits the model. With <paramref name="balanced"/> each class weighs half of the total (scikit-learn's
    /// <c>class_weight="balanced"</c>), which is how long-wait models are usually trained on rare positives — and
    /// why their raw scores need a calibrator.
    /// </summary>
    public static LogisticRegression Fit(IReadOnlyList<double[]> x, IReadOnlyList<int> y, bool balanced = false, double l2 = 1e-3, int iterations = 50)
    {
        var positives = y.Count(v => v == 1);
        var classWeight = new[]
        {
            balanced && positives < y.Count ? y.Count / (2.0 * (y.Count - positives)) : 1,
            balanced && positives > 0 ? y.Count / (2.0 * positives) : 1,
        };
        var d = x[0].Length;
        var mean = new double[d];
        var scale = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = x.Average(r => r[j]);
            var variance = x.Average(r => (r[j] - mean[j]) * (r[j] - mean[j]));
            scale[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }

        var w = new double[d + 1];
        var model = new LogisticRegression(w, mean, scale);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradient = new double[d + 1];
            var hessian = new double[d + 1, d + 1];
            for (var i = 0; i < x.Count; i++)
            {
                var z = model.Standardize(x[i]);
                var p = Sigmoid(Dot(w, z));
                var sampleWeight = classWeight[y[i]];
                var weight = sampleWeight * Math.Max(p * (1 - p), 1e-9);
                for (var a = 0; a <= d; a++)
                {
                    gradient[a] += sampleWeight * (p - y[i]) * z[a];
                    for (var b = 0; b <= d; b++)
                    {
                        hessian[a, b] += weight * z[a] * z[b];
                    }
                }
            }

            for (var a = 1; a <= d; a++)
            {
                gradient[a] += l2 * x.Count * w[a];
                hessian[a, a] += l2 * x.Count;
            }

            var step = Solve(hessian, gradient);
            var change = 0.0;
            for (var a = 0; a <= d; a++)
            {
                w[a] -= step[a];
                change = Math.Max(change, Math.Abs(step[a]));
            }

            if (change < 1e-8)
            {
                break;
            }
        }

        return model;
    }

    public double Predict(double[] features) => Sigmoid(Dot(Weights, Standardize(features)));

    /// <summary>Each feature's contribution to the logit (weight × standardized value).</summary>
    public double[] Contributions(double[] features)
    {
        var z = Standardize(features);
        return [.. Enumerable.Range(1, features.Length).Select(j => Weights[j] * z[j])];
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    public static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    private double[] Standardize(double[] features)
    {
        var z = new double[features.Length + 1];
        z[0] = 1;
        for (var j = 0; j < features.Length; j++)
        {
            z[j + 1] = (features[j] - _mean[j]) / _scale[j];
        }

        return z;
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Gaussian elimination with partial pivoting; the matrix is small and positive definite.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var v = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(m[row, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = row;
                }
            }

            for (var k = 0; k < n; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            }

            (v[col], v[pivot]) = (v[pivot], v[col]);
            var diagonal = Math.Abs(m[col, col]) < 1e-12 ? 1e-12 : m[col, col];
            for (var row = col + 1; row < n; row++)
            {
                var factor = m[row, col] / diagonal;
                for (var k = col; k < n; k++)
                {
                    m[row, k] -= factor * m[col, k];
                }

                v[row] -= factor * v[col];
            }
        }

        var result = new double[n];
        for (var row = n - 1; row >= 0; row--)
        {
            var sum = v[row];
            for (var k = row + 1; k < n; k++)
            {
                sum -= m[row, k] * result[k];
            }

            result[row] = sum / (Math.Abs(m[row, row]) < 1e-12 ? 1e-12 : m[row, row]);
        }

        return result;
    }
}
