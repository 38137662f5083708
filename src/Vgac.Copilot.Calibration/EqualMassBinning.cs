namespace Vgac.Copilot.Calibration;

/// <summary>
/// VGAC's equal-mass binning: sort by probability with a stable sort, split into <c>k</c> nearly equal
/// chunks, the first <c>n mod k</c> chunks one larger (<c>data/README.md</c>).
/// </summary>
public static class EqualMassBinning
{
    /// <summary>Indices of <paramref name="probabilities"/> in ascending order, ties kept in input order.</summary>
    public static int[] StableOrder(ReadOnlySpan<double> probabilities)
    {
        var keys = probabilities.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Array.Sort is not stable; breaking ties on the original index makes it so.
        Array.Sort(order, (a, b) =>
        {
            var c = keys[a].CompareTo(keys[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>Sizes of the <paramref name="bins"/> chunks for <paramref name="n"/> items (empty chunks dropped).</summary>
    public static int[] ChunkSizes(int n, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        var size = n / bins;
        var extra = n % bins;
        return [.. Enumerable.Range(0, bins).Select(i => size + (i < extra ? 1 : 0)).Where(s => s > 0)];
    }
}
