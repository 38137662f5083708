using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Watch.Actions;

/// <summary>
/// The copilot's own calibration audits kept in the audit trail (<c>calibration</c> records), so every process that
/// may act (a watch replica, <c>vgac actions approve</c>, an MCP or REPL apply) judges against the latest one. The
/// watch cycle writes its audit in the cycle's own transaction; audits made elsewhere (<c>calibration audit --live</c>,
/// the live-audit tool) are appended outside any cycle.
/// </summary>
public sealed class TrailCalibrationAudits(AuditStore audit, WatchClock clock) : ICalibrationAudits
{
    public async Task RecordAsync(double ece, int samples, double? eceLow, CancellationToken cancellationToken)
    {
        var snapshot = new CalibrationSnapshot(null, ece, samples, null, null, DriftLevel.Unknown, null, "audit made outside the watch loop", eceLow);
        await audit.AppendAsync(
            [new AuditEvent(0, clock.Now, AuditedExecutionPath.OutsideTheLoop, AuditKinds.Calibration, null, null, null,
                $"calibration audit: ECE {ece:0.000} on {samples} outcomes", WatchJson.Serialize(snapshot))],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditedCalibration?> LatestAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var latest = await audit.LatestAsync(AuditKinds.Calibration, clock.Now - maxAge, "audited_ece", cancellationToken).ConfigureAwait(false);
        return latest?.Payload is { } json && WatchJson.Deserialize<CalibrationSnapshot>(json) is { AuditedEce: { } ece } snapshot
            ? new AuditedCalibration(ece, snapshot.AuditedSamples, latest.At, snapshot.AuditedEceLow)
            : null;
    }
}
