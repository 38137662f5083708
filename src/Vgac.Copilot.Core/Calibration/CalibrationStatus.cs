using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>
/// What the copilot knows about the model's calibration right now: what VGAC reports, what the copilot audited
/// itself (when it did), and the effective ECE the guards use.
/// </summary>
public sealed record CalibrationStatus(
    double? ReportedEce,
    double? ReportedBrier,
    int ReportedSamples,
    bool RecalibrationNeeded,
    DateTimeOffset? LastRecalibration,
    double? AuditedEce,
    int AuditedSamples,
    DateTimeOffset FetchedAt,
    string? Error,
    double? AuditedEceLow = null)
{
    /// <summary>Nothing could be fetched; the guards treat the model as uncalibrated.</summary>
    public static CalibrationStatus Unavailable(string error, DateTimeOffset at) => new(null, null, 0, true, null, null, 0, at, error);

    /// <summary>
    /// VGAC's calibration answer, checked against the contract: a non-finite or out-of-range ECE or Brier score, or a
    /// negative sample count, makes the calibration unknown (nothing may act), with the reason as its error.
    /// </summary>
    public static CalibrationStatus FromVgac(Contracts.CalibrationMetrics c, AuditedCalibration? audit, DateTimeOffset at)
    {
        var violation = VgacValues.Unit(c.Ece, "ECE") ?? VgacValues.Unit(c.BrierScore, "Brier score") ?? VgacValues.Count(c.SampleCount, "sample_count");
        return violation is null
            ? new CalibrationStatus(c.Ece, c.BrierScore, c.SampleCount, c.RecalibrationNeeded, c.LastRecalibration, audit?.Ece, audit?.Samples ?? 0, at, null, audit?.EceLow)
            : Unavailable($"VGAC reported {violation}: a contract violation, so the calibration is unknown and nothing may act", at);
    }

    public bool IsAvailable => Error is null;

    /// <summary>The facts the guards decide on.</summary>
    public CalibrationFacts ToFacts() => new(ReportedEce, AuditedEce, ReportedSamples, IsAvailable && !RecalibrationNeeded, AuditedSamples, AuditedEceLow);
}
