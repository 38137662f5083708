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
    string? Error)
{
    /// <summary>Nothing could be fetched; the guards treat the model as uncalibrated.</summary>
    public static CalibrationStatus Unavailable(string error, DateTimeOffset at) => new(null, null, 0, true, null, null, 0, at, error);

    public bool IsAvailable => Error is null;

    /// <summary>The facts the guards decide on.</summary>
    public CalibrationFacts ToFacts() => new(ReportedEce, AuditedEce, ReportedSamples, IsAvailable && !RecalibrationNeeded, AuditedSamples);
}
