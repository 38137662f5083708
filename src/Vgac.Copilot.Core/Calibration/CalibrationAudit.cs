using Vgac.Copilot.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>One tier's calibration prerequisite, judged on an audit.</summary>
public sealed record TierQualification(int Tier, string Action, double MaxEce, bool Qualified, string Reason);

/// <summary>One SLO, judged on an audit. <see cref="Met"/> is null when the metric could not be computed.</summary>
public sealed record SloCheck(string Name, double? Value, double Limit, bool? Met);

/// <summary>
/// A calibration audit: the metrics, tier qualification, SLO compliance, and a one-line verdict.
/// <see cref="Debiased"/> is the ECE with the sampling noise that plain binned ECE adds taken out, with an interval
/// over time: the guards hold tiers to its estimate and judge drift on its lower end. The plain figures in
/// <see cref="Metrics"/> keep VGAC's definition (the SLOs are VGAC's and are held to them).
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
    EceInterval Debiased);

/// <summary>
/// Audits predictions against outcomes: metrics with VGAC's definitions, then which tiers the calibration
/// qualifies for and which SLOs it meets. Pure; O(n log n).
/// </summary>
public sealed class CalibrationAuditor(GuardPolicy guards)
{
    public CalibrationAudit Audit(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = CalibrationStatistics.DefaultBins, double? psi = null)
    {
        var report = CalibrationStatistics.Compute(probabilities, labels, bins);
        var debiased = DebiasedEce.Interval(probabilities, labels);
        var tails = CalibrationExtras.TailGaps(probabilities, labels);
        var o = guards.Options;
        var ece = debiased.Estimate;
        // One verdict: the tiers are judged by the guards' own rules on this audit (their ECE limits and drift), not by
        // a reading of the ECE limits alone beside a drift line that says otherwise.
        var standing = guards.Standing(new CalibrationFacts(null, ece, 0, IsCalibrated: true, AuditedSamples: report.N, AuditedEceLow: debiased.Low));
        var tiers = standing.Tiers.Select(t => new TierQualification(
            t.Tier, t.Action, t.MaxEce, t.Allowed,
            t.Allowed ? $"debiased ECE {ece:0.0000} <= {t.MaxEce}" : CalibrationStanding.Why(t))).ToList();
        var maxTailGap = tails.Where(t => t.Count > 0).Select(t => t.Gap).DefaultIfEmpty(0).Max();
        var slo = new List<SloCheck>
        {
            new("ece", report.Ece, o.Slo.MaxEce, report.Ece <= o.Slo.MaxEce),
            new("mce", report.Mce, o.Slo.MaxMce, report.Mce <= o.Slo.MaxMce),
            new("max_tail_gap", maxTailGap, o.Slo.MaxTailGap, maxTailGap <= o.Slo.MaxTailGap),
            new("psi", psi, o.Slo.MaxPsi, psi is { } v ? v < o.Slo.MaxPsi : null),
        };
        var drift = standing.Drift;
        var highest = standing.HighestTier;
        // Samples are taken in the order given (oldest first): ECE over ten half-overlapping windows shows a trend.
        var window = Math.Max(bins * 10, report.N / 5);
        var temporal = report.N >= 2 * window ? CalibrationExtras.SlidingEce(probabilities, labels, window, window / 2, bins) : [];
        var verdict = standing.Line(slo);
        return new CalibrationAudit(
            report, highest, tiers, slo, tails, drift, psi, temporal,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{verdict}"),
            debiased);
    }
}
