using System.Globalization;
using System.Text;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Cli.Output;

/// <summary>A calibration audit for people: the figures, the tiers, the SLOs, and a verdict line.</summary>
internal static class AuditText
{
    /// <summary>
    /// The audit; its own verdict line unless <paramref name="verdict"/> is given (null: the caller prints the one
    /// verdict). With <paramref name="standing"/> (a live audit: the guards judge VGAC's figure and the audit
    /// together), the drift line and the tiers are that standing's, so the screen tells one story.
    /// </summary>
    public static string Format(CalibrationAudit a, string source, string? verdict = "", Core.Guards.CalibrationStanding? standing = null)
    {
        var m = a.Metrics;
        var s = new StringBuilder();
        s.AppendLine($"Calibration audit of {source}");
        s.AppendLine(I($"  samples        {m.N} (positive rate {m.PositiveRate:0.0000})"));
        s.AppendLine(I($"  ECE / MCE      {m.Ece:0.000000} / {m.Mce:0.000000}  (VGAC's definition: {m.ReliabilityCurve.Count} equal-mass bins; reads high at small n)"));
        var d = a.Debiased;
        s.AppendLine(I($"  debiased ECE   {d.Estimate:0.0000}, {d.Level:0%} interval {d.Low:0.0000}-{d.High:0.0000}  (the guards use this: tiers are held to the estimate, drift is judged on the lower end; {d.Method})"));
        s.AppendLine(I($"  Brier          {m.Brier:0.000000} = reliability {m.BrierReliability:0.000000} - resolution {m.BrierResolution:0.000000} + uncertainty {m.BrierUncertainty:0.000000}"));
        s.AppendLine(I($"  AUROC / AUPRC  {m.Auroc:0.0000} / {m.Auprc:0.0000}"));
        s.AppendLine($"  tail gaps      {string.Join("  ", a.TailGaps.Select(t => I($"p>={t.Threshold:0.0}: {(t.Count == 0 ? "-" : t.Gap.ToString("0.000", CultureInfo.InvariantCulture))} (n={t.Count})")))}");
        s.AppendLine($"  drift          {(standing?.Drift ?? a.Drift).Reason}");
        if (a.TemporalEce.Count > 0)
        {
            s.AppendLine($"  ECE over time  {string.Join(" ", a.TemporalEce.Select(w => w.Ece.ToString("0.000", CultureInfo.InvariantCulture)))}  ({a.TemporalEce.Count} windows of {a.TemporalEce[0].Count}, oldest first)");
        }

        s.AppendLine("  tiers (what calibration lets act now)");
        foreach (var t in standing?.Tiers.Select(v => new TierQualification(v.Tier, v.Action, v.MaxEce, v.Allowed,
                     v.Allowed ? I($"ECE {v.EffectiveEce:0.0000} <= {v.MaxEce}") : Core.Guards.CalibrationStanding.Why(v))) ?? a.Tiers)
        {
            s.AppendLine(I($"    {t.Tier} {t.Action,-9} ECE <= {t.MaxEce:0.00}   {(t.Qualified ? "may act" : "may not act")}  ({t.Reason})"));
        }

        s.AppendLine("  SLOs");
        foreach (var slo in a.Slo)
        {
            var value = slo.Value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";
            var met = slo.Met switch { true => "met", false => "FAILED", null => "not measured" };
            s.AppendLine(I($"    {slo.Name,-13} {value,8} (limit {slo.Limit:0.000})  {met}"));
        }

        s.AppendLine("  reliability curve (mean predicted -> observed, n)");
        foreach (var b in m.ReliabilityCurve)
        {
            s.AppendLine(I($"    {b.MeanPredicted:0.000} -> {b.ObservedRate:0.000}  (n={b.Count})"));
        }

        if (verdict is not null)
        {
            s.AppendLine($"Verdict: {(verdict.Length == 0 ? a.Verdict : verdict)}");
        }

        return s.ToString();
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
