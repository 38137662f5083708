using System.Globalization;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Tools.Results;

/// <summary>
/// What a what-if comparison supports, decided from its own numbers: which variant starts soonest, and whether the
/// model tells the variants apart at all. Advice ("ask for fewer GPUs") is written only from a comparison where
/// <see cref="Distinguishes"/> is true; otherwise the answer says the model does not distinguish them. Only confident
/// predictions are compared: a low-confidence or fallback number supports no advice.
/// </summary>
/// <param name="Field">The field varied (<c>gpus</c>, <c>priority</c>, ...).</param>
/// <param name="Distinguishes">True when the confident variants differ by at least <see cref="ProbabilityStep"/> in P(long wait), or by a quarter (and <see cref="MinutesStep"/> minutes) in the expected wait.</param>
/// <param name="Best">The variant's value that starts soonest, when the model distinguishes them.</param>
/// <param name="Summary">One sentence to show as it is.</param>
public sealed record WhatIfComparison(string Field, bool Distinguishes, string? Best, string Summary)
{
    /// <summary>A difference in P(long wait) this small is within what the model cannot tell apart.</summary>
    public const double ProbabilityStep = 0.05;

    /// <summary>A difference in expected wait below this many minutes is not one a user feels.</summary>
    public const double MinutesStep = 3;

    public static WhatIfComparison Of(string field, IReadOnlyList<(string Value, PredictionBrief Prediction)> variants)
    {
        var confident = variants.Where(v => v.Prediction.ShownAs == ShownAs.Confident).ToList();
        if (confident.Count < 2)
        {
            var weak = variants.Where(v => v.Prediction.ShownAs != ShownAs.Confident).Select(v => Label(field, v.Value)).ToList();
            return new(field, false, null, $"Too few confident predictions to compare ({string.Join(", ", weak)} {(weak.Count == 1 ? "is" : "are")} not confident): no advice on {Plural(field)} can rest on this.");
        }

        var best = confident.OrderBy(v => v.Prediction.ProbabilityLongWait).ThenBy(v => v.Prediction.EstimatedWaitSeconds ?? double.MaxValue).First();
        var worst = confident.OrderByDescending(v => v.Prediction.ProbabilityLongWait).ThenByDescending(v => v.Prediction.EstimatedWaitSeconds ?? 0).First();
        var dp = worst.Prediction.ProbabilityLongWait - best.Prediction.ProbabilityLongWait;
        var (bw, ww) = (best.Prediction.EstimatedWaitSeconds, worst.Prediction.EstimatedWaitSeconds);
        var dw = bw is { } b && ww is { } w && w - b >= MinutesStep * 60 && w >= b * 1.25;
        var left = variants.Where(v => v.Prediction.ShownAs != ShownAs.Confident).Select(v => Label(field, v.Value)).ToList();
        var leftOut = left.Count == 0 ? "" : $" ({string.Join(" and ", left)}: not confident, left out)";
        if (dp < ProbabilityStep && !dw)
        {
            var labels = confident.Select(v => Label(field, v.Value)).ToList();
            return new(field, false, null, I(
                $"The model does not distinguish {string.Join(", ", labels.Take(labels.Count - 1))} or {labels[^1]}: P(long wait) {Range(confident.Select(v => v.Prediction.ProbabilityLongWait))}, so changing {Plural(field)} is not shown to help{leftOut}."));
        }

        var waits = bw is { } bs && ww is { } ws ? $", about {Core.Text.Words.Duration(bs)} against {Core.Text.Words.Duration(ws)}" : "";
        return new(field, true, best.Value, I(
            $"Soonest to start: {Label(field, best.Value)}, P(long wait) {best.Prediction.ProbabilityLongWait:0.00} against {worst.Prediction.ProbabilityLongWait:0.00} for {Label(field, worst.Value)}{waits}{leftOut}."));
    }

    private static string Label(string field, string value) => field switch
    {
        "gpus" => $"{value} GPU{(value == "1" ? "" : "s")}",
        "priority" => $"priority {value}",
        _ => $"{field} {value}",
    };

    private static string Plural(string field) => field switch
    {
        "gpus" => "the GPU count",
        "priority" => "the priority",
        _ => $"the {field.Replace('_', ' ')}",
    };

    private static string Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Min() == list.Max() ? I($"{list[0]:0.00} for each") : I($"{list.Min():0.00} to {list.Max():0.00}");
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
