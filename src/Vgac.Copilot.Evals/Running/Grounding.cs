using System.Globalization;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Evals.Running;

/// <summary>
/// Grounding: every number in an answer must appear in the tool results of that run (or the question), or be
/// derived from one by a stated rule: a fraction shown as a percentage (×100), seconds shown as minutes (÷60),
/// or a value rounded to fewer decimals.
/// </summary>
public static partial class Grounding
{
    /// <summary>Numbers in the answer that nothing the run saw supports.</summary>
    /// <summary>The guard policy's own constants, which answers may state as rules (gate, thresholds, baseline, ratios).</summary>
    public static readonly double[] PolicyConstants = [0.6, 0.5, 0.3, 0.7, 0.9, 0.1, 0.07, 0.05, 0.03, 0.018, 1.5, 2, 5, 50];

    public static IReadOnlyList<string> Ungrounded(string answer, IEnumerable<string> toolResults, string question)
    {
        var sources = string.Join(' ', toolResults) + " " + question;
        var known = Number().Matches(sources).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).Concat(PolicyConstants).ToHashSet();
        var missing = new List<string>();
        foreach (Match m in Number().Matches(answer))
        {
            var v = double.Parse(m.Value, CultureInfo.InvariantCulture);
            if (!known.Contains(v) && !known.Any(s => Math.Abs(s * 100 - v) < 0.051 || Math.Abs(Math.Round(s / 60) - v) < 0.51 || Math.Abs(Math.Round(s, 2) - v) < 0.0051 || Math.Abs(Math.Round(s, 1) - v) < 0.051))
            {
                missing.Add(m.Value);
            }
        }

        return missing;
    }

    // A number may run into a unit ("2.83x", "45s") but not into more digits.
    [GeneratedRegex(@"(?<![\w.-])\d+(?:\.\d+)?(?![\d.])")]
    private static partial Regex Number();
}
