using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Actions;

/// <summary>
/// What the Calibrator found this cycle. <paramref name="AuditedEce"/> is the copilot's debiased ECE (plain ECE in
/// trails written before it debiased), <paramref name="AuditedEceLow"/>–<paramref name="AuditedEceHigh"/> its
/// interval (drift is judged on the lower end) and <paramref name="AuditedPlainEce"/> VGAC's plain figure on the same outcomes.
/// </summary>
public sealed record CalibrationSnapshot(
    double? ReportedEce, double? AuditedEce, int AuditedSamples, double? EffectiveEce, double? DriftRatio, DriftLevel Drift, double? Psi, string Reason,
    double? AuditedEceLow = null, double? AuditedEceHigh = null, double? AuditedPlainEce = null, double? JudgedEce = null)
{
    /// <summary>The VGAC the audit was of (null in records written before audits carried their source).</summary>
    public Core.Calibration.AuditSource? Source { get; init; }
}
