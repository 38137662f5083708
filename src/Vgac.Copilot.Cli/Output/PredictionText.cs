using System.Globalization;
using System.Text;
using Vgac.Copilot.Core.Jobs;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Cli.Output;

/// <summary>Guarded predictions for people: the number never appears without its confidence and verdicts.</summary>
internal static class PredictionText
{
    public static async Task WriteAsync(TextWriter o, PredictionView v)
    {
        var s = new StringBuilder();
        if (v.Cluster is { } cluster)
        {
            s.AppendLine($"Cluster       {cluster}");
        }

        s.AppendLine(Invariant($"Job           {Describe(v.Spec)}"));
        if (v.ShownAs == ShownAs.Infeasible)
        {
            s.AppendLine($"P(long wait)  not shown - INFEASIBLE: {v.Feasibility!.Reason}");
            s.AppendLine("Recommend     none: no wait makes this request start here; ask for what the cluster has");
        }
        else if (v.IsFallback)
        {
            s.AppendLine("P(long wait)  unknown - FALLBACK, confidence 0 (VGAC gave no prediction)");
            s.AppendLine($"Error         {v.Error}");
        }
        else
        {
            var confident = v.Gate.Passed ? "passes" : "LOW CONFIDENCE, below";
            s.AppendLine(Invariant($"P(long wait)  {v.ProbabilityLongWait:0.00} ({v.WaitCategory}, ~{Minutes(v.EstimatedWaitSeconds)})   confidence {v.Confidence:0.00} {confident} the {v.Gate.Gate:0.00} gate"));
            s.AppendLine($"Recommend     {v.Recommendation ?? Withheld(v.ShownAs)}");
            s.AppendLine($"Starts        {Interval(v)}");
        }

        if (v.Feasibility is { Level: FeasibilityLevel.Unchecked, Judged: true } notChecked)
        {
            s.AppendLine($"Feasibility   {notChecked.Reason}");
        }

        s.AppendLine($"Calibration   {Calibration(v)}");
        s.AppendLine($"Tiers         {string.Join("  ", v.Tiers.Select(Tier))}");
        s.AppendLine($"              highest allowed: {(v.HighestTier == 0 ? "none" : v.HighestTier.ToString(CultureInfo.InvariantCulture))}; {FirstBlock(v)}");
        s.AppendLine(Invariant($"Timing        VGAC {(v.Timing.VgacMs is { } ms ? $"{ms:0.###} ms" : "-")}, round trip {v.Timing.RoundTripMs:0.0} ms, total {v.Timing.TotalMs:0.0} ms"));
        await o.WriteAsync(s.ToString()).ConfigureAwait(false);
    }

    /// <param name="o">Where to write.</param>
    /// <param name="views">One row each.</param>
    /// <param name="varied">The fields a what-if varied (each row is labelled by their values).</param>
    /// <param name="labels">Each row's own label (a manifest's workloads), over <paramref name="varied"/>.</param>
    public static async Task WriteTableAsync(TextWriter o, IReadOnlyList<PredictionView> views, IReadOnlyList<string> varied, IReadOnlyList<string>? labels = null)
    {
        var s = new StringBuilder();
        s.AppendLine(Invariant($"{(labels is null ? "variant" : "workload"),-34} {"P(long)",8} {"conf",5} {"gate",-5} {"wait",8} {"tier",4}  blocked by"));
        for (var row = 0; row < views.Count; row++)
        {
            var v = views[row];
            var label = labels is not null ? $"{labels[row]} ({v.Spec.Gpus} GPU{(v.Spec.Gpus == 1 ? "" : "s")})"
                : varied.Count == 0 ? Describe(v.Spec) : string.Join(" ", varied.Select(f => $"{f}={Field(v.Spec, f)}"));
            var blocked = v.HighestTier == v.Tiers.Count ? "-" : v.Tiers.First(t => !t.Allowed).Rule;
            s.AppendLine(v.ShownAs == ShownAs.Infeasible
                ? Invariant($"{Cut(label, 34),-34} {"-",8} {"-",5} {"NO",-5} {"never",8} {0,4}  {v.Feasibility!.Rule}")
                : v.IsFallback
                ? Invariant($"{Cut(label, 34),-34} {"-",8} {0,5:0.00} {"FALL",-5} {"-",8} {0,4}  fallback")
                : Invariant($"{Cut(label, 34),-34} {v.ProbabilityLongWait,8:0.00} {v.Confidence,5:0.00} {Gate(v.ShownAs),-5} {Minutes(v.EstimatedWaitSeconds),8} {v.HighestTier,4}  {blocked}"));
        }

        s.AppendLine($"Calibration: {Calibration(views[0])}");
        s.AppendLine(Invariant($"Timing: one batch call, round trip {views[0].Timing.RoundTripMs:0.0} ms, total {views[0].Timing.TotalMs:0.0} ms"));
        await o.WriteAsync(s.ToString()).ConfigureAwait(false);
    }

    /// <summary>
    /// One line for a scheduler's user at submission (<c>--format line</c>, what the Slurm cli_filter and
    /// <c>kubectl vgac</c> print): the interval when the guards let an estimate through, otherwise the guards' reason,
    /// never a number without its confidence. For example: "vgac: likely to start within 25 min (90% of jobs like it);
    /// P(long wait) 0.21, confident".
    /// </summary>
    public static string Line(PredictionView v) => "vgac: " + (v.Workload is { } workload ? $"{workload}: " : "") + (v.ShownAs switch
    {
        ShownAs.Infeasible => $"this request cannot start on this cluster: {v.Feasibility!.Reason}",
        ShownAs.Fallback => "no estimate: VGAC gave no prediction",
        ShownAs.RecalibrationRequired => "no estimate shown: the model's calibration has drifted (recalibration required)",
        ShownAs.LowConfidence => Invariant($"no confident estimate (confidence {v.Confidence:0.00} is below the {v.Gate.Gate:0.00} gate)"),
        _ when v.WaitInterval is { } i => Invariant($"likely to start {i.When()} ({i.Level:0%} of jobs like it); P(long wait) {v.ProbabilityLongWait:0.00}, confident"),
        _ => Invariant($"P(long wait) {v.ProbabilityLongWait:0.00} (about {Minutes(v.EstimatedWaitSeconds)}), confident; no interval for jobs like it yet"),
    });

    private static string Calibration(PredictionView v) => v.Calibration.Error is { } error
        ? $"unavailable ({error}); treated as uncalibrated"
        : Invariant($"ECE {v.Calibration.EffectiveEce:0.000} over {v.Calibration.SampleCount} outcomes; {v.Drift.Reason}");

    private static string Withheld(ShownAs shown) => shown switch
    {
        ShownAs.Confident => "(none from VGAC)",
        ShownAs.RecalibrationRequired => "withheld: drift says the model needs recalibration",
        _ => "withheld: confidence below the gate",
    };

    private static string Gate(ShownAs shown) => shown switch
    {
        ShownAs.Confident => "ok",
        ShownAs.RecalibrationRequired => "RECAL",
        _ => "LOW",
    };

    private static string Tier(TierVerdict t) => $"{t.Tier} {t.Action} {(t.Allowed ? "yes" : "no")}";

    private static string FirstBlock(PredictionView v) => v.Tiers.FirstOrDefault(t => !t.Allowed) is { } t ? $"tier {t.Tier} blocked: {t.Reason}" : "every tier allowed";

    private static string Describe(JobSpecInput s) => Invariant(
        $"{s.Gpus} GPU{(s.Gpus == 1 ? "" : "s")}{(s.GpuType is null ? "" : $" ({s.GpuType})")}, {s.CpuMillicores:0}m CPU, {s.MemoryGb:0.#} GB, priority {s.Priority}, namespace {s.Namespace}{(s.Queue is null ? "" : $", queue {s.Queue}")}");

    private static string Field(JobSpecInput s, string field) =>
        JobSpecSchema.Find(field)?.ValueOf(s) is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture)! : "-";

    /// <summary>"within 4 min (90 %, 1000 finished jobs; ...)", "in 12-40 min (...)", or why there is no interval.</summary>
    internal static string Interval(PredictionView v) => v.WaitInterval is { } i
        ? Invariant($"{i.When()} ({i.Level:0%} of jobs like it, {i.Samples} finished jobs behind it; {i.Method})")
        : v.WaitIntervalReason ?? "no interval";

    private static string Minutes(double? seconds) => seconds is { } s ? Core.Text.Words.Duration(s) : "-";

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
