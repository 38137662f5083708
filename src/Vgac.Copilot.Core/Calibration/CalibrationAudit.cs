using Vgac.Copilot.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>One tier's calibration prerequisite, judged on an audit.</summary>
public sealed record TierQualification(int Tier, string Action, double MaxEce, bool Qualified, string Reason);

/// <summary>One SLO, judged on an audit. <see cref="Met"/> is null when the metric could not be computed.</summary>
public sealed record SloCheck(string Name, double? Value, double Limit, bool? Met);

/// <summary>
/// A calibration audit: the metrics, tier qualification, SLO compliance, and a one-line verdict.
/// <see cref="EceNoiseFloor"/> is the ECE a perfectly calibrated model would show on these predictions from sampling
/// alone: an ECE near it is no evidence of miscalibration at this sample size.
/// </summary>
public sealed record CalibrationAudit(
    CalibrationReport Metrics,
    int HighestTier,
    IReadOnlyList<TierQualification> Tiers,
    IReadOnlyList<SloCheck> Slo,
    IReadOnlyList<TailGap> TailGaps,
    DriftVerdict Drift,
    double? Psi,
    IReadOnlyList<WindowEce> TemporalEce,
    string Verdict,
    double EceNoiseFloor);

/// <summary>
/// Audits predictions against outcomes: metrics with VGAC's definitions, then which tiers the calibration
/// qualifies for and which SLOs it meets. Pure; O(n log n).
/// </summary>
public sealed class CalibrationAuditor(GuardPolicy guards)
{
    public CalibrationAudit Audit(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = CalibrationStatistics.DefaultBins, double? psi = null)
    {
        var report = CalibrationStatistics.Compute(probabilities, labels, bins);
        var tails = CalibrationExtras.TailGaps(probabilities, labels);
        var o = guards.Options;
        var learning = report.N < o.LearningModeMinSamples;
        var tiers = o.EffectiveTiers.Select(t => new TierQualification(
            t.Tier, t.Action, t.MaxEce, !learning && report.Ece <= t.MaxEce,
            learning ? $"only {report.N} samples (learning mode below {o.LearningModeMinSamples})"
            : report.Ece <= t.MaxEce ? $"ECE {report.Ece:0.0000} <= {t.MaxEce}" : $"ECE {report.Ece:0.0000} > {t.MaxEce}")).ToList();
        var maxTailGap = tails.Where(t => t.Count > 0).Select(t => t.Gap).DefaultIfEmpty(0).Max();
        var slo = new List<SloCheck>
        {
            new("ece", report.Ece, o.Slo.MaxEce, report.Ece <= o.Slo.MaxEce),
            new("mce", report.Mce, o.Slo.MaxMce, report.Mce <= o.Slo.MaxMce),
            new("max_tail_gap", maxTailGap, o.Slo.MaxTailGap, maxTailGap <= o.Slo.MaxTailGap),
            new("psi", psi, o.Slo.MaxPsi, psi is { } v ? v < o.Slo.MaxPsi : null),
        };
        var drift = guards.Drift(new CalibrationFacts(null, report.Ece, 0, IsCalibrated: true, AuditedSamples: report.N));
        var highest = tiers.Where(t => t.Qualified).Select(t => t.Tier).DefaultIfEmpty(0).Max();
        // Samples are taken in the order given (oldest first): ECE over ten half-overlapping windows shows a trend.
        var window = Math.Max(bins * 10, report.N / 5);
        var temporal = report.N >= 2 * window ? CalibrationExtras.SlidingEce(probabilities, labels, window, window / 2, bins) : [];
        var failed = slo.Where(s => s.Met == false).Select(s => s.Name).ToList();
        var verdict = highest == 0
            ? $"NOT QUALIFIED for any intervention tier (ECE {report.Ece:0.000}); {(failed.Count == 0 ? "all SLOs met" : "SLOs failed: " + string.Join(", ", failed))}."
            : $"Qualifies up to tier {highest} ({tiers[highest - 1].Action}); {(failed.Count == 0 ? "all SLOs met" : "SLOs failed: " + string.Join(", ", failed))}.";
        return new CalibrationAudit(
            report, highest, tiers, slo, tails, drift, psi, temporal,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{verdict}"),
            CalibrationExtras.EceNoiseFloor(probabilities, bins));
    }
}
