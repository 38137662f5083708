namespace Vgac.Copilot.Simulator.Prediction;

/// <summary>
/// Isotonic calibration by pool-adjacent-violators: a non-decreasing step function from raw score to observed
/// rate, interpolated linearly between blocks (as scikit-learn's <c>IsotonicRegression</c> does). Each block's
/// rate is shrunk towards the base rate by <see cref="PriorWeight"/> pseudo-samples, so a small block of all
/// positives says 0.9, not a certain 1.0; a running maximum keeps the result non-decreasing.
/// </summary>
internal sealed class IsotonicRegression
{
    public const double PriorWeight = 3;

    private readonly double[] _values;

    private IsotonicRegression(IReadOnlyList<Block> blocks, double baseRate)
    {
        Blocks = blocks;
        _values = new double[blocks.Count];
        var floor = 0.0;
        for (var k = 0; k < blocks.Count; k++)
        {
            floor = Math.Max(floor, (blocks[k].Sum + PriorWeight * baseRate) / (blocks[k].Count + PriorWeight));
            _values[k] = floor;
        }
    }

    /// <summary>The fitted blocks, ascending by score.</summary>
    public IReadOnlyList<Block> Blocks { get; }

    public static IsotonicRegression Fit(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ThenBy(i => i).ToArray();
        var stack = new List<Block>();
        foreach (var i in order)
        {
            var block = new Block(scores[i], scores[i], labels[i], 1, [i]);
            while (stack.Count > 0 && stack[^1].Value >= block.Value)
            {
                var previous = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                block = Block.Merge(previous, block);
            }

            stack.Add(block);
        }

        return new IsotonicRegression(stack, labels.Count == 0 ? 0.5 : labels.Average());
    }

    /// <summary>Calibrated probability for a raw score.</summary>
    public double Predict(double score) => Interpolate(score).Value;

    /// <summary>The calibrated value and the block the score falls in (nearest block between two).</summary>
    public (double Value, Block Block) Interpolate(double score)
    {
        if (score <= Blocks[0].MaxScore)
        {
            return (_values[0], Blocks[0]);
        }

        for (var k = 1; k < Blocks.Count; k++)
        {
            var (previous, current) = (Blocks[k - 1], Blocks[k]);
            if (score < current.MinScore)
            {
                var t = (score - previous.MaxScore) / (current.MinScore - previous.MaxScore);
                var value = _values[k - 1] + t * (_values[k] - _values[k - 1]);
                return (value, t < 0.5 ? previous : current);
            }

            if (score <= current.MaxScore)
            {
                return (_values[k], current);
            }
        }

        return (_values[^1], Blocks[^1]);
    }

    /// <summary>A run of samples pooled to one value. <see cref="Members"/> are indices into the fitted samples.</summary>
    internal sealed record Block(double MinScore, double MaxScore, double Sum, int Count, List<int> Members)
    {
        public double Value => Sum / Count;

        public static Block Merge(Block a, Block b)
        {
            a.Members.AddRange(b.Members);
            return new Block(Math.Min(a.MinScore, b.MinScore), Math.Max(a.MaxScore, b.MaxScore), a.Sum + b.Sum, a.Count + b.Count, a.Members);
        }
    }
}
