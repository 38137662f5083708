using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>
/// The copilot's own calibration audits kept in the audit trail (<c>calibration</c> records, each with its source),
/// so every process that may act (a watch replica, <c>vgac actions approve</c>, an MCP or REPL apply) judges against
/// every audit in force. The watch cycle writes its audit in the cycle's own transaction; audits made elsewhere
/// (<c>calibration audit --live</c>, the live-audit tool) are appended outside any cycle.
/// </summary>
public sealed class TrailCalibrationAudits(AuditStore audit, WatchClock clock, IOptions<VgacClientOptions> vgac, IOptions<GuardOptions> guards) : ICalibrationAudits
{
    public async Task RecordAsync(double ece, int samples, double? eceLow, AuditSource source, CancellationToken cancellationToken)
    {
        var snapshot = new CalibrationSnapshot(null, ece, samples, null, null, DriftLevel.Unknown, null, "audit made outside the watch loop", eceLow) { Source = source };
        await audit.AppendAsync(
            [new AuditEvent(0, clock.Now, ActionQueue.OutsideTheLoop, AuditKind.Calibration, null, null, null,
                $"calibration audit of {source.BaseUrl}: ECE {ece:0.000} on {samples} outcomes", ActionsJson.Records.Serialize(snapshot))],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditedCalibration?> InForceAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (!audit.Exists)
        {
            return null;
        }

        var records = await audit.QueryAsync(since: clock.Now - maxAge, kind: AuditKind.Calibration, cancellationToken: cancellationToken).ConfigureAwait(false);
        return AuditedCalibration.Worst(Audits(records, vgac.Value.BaseUrl), guards.Value.LearningModeMinSamples);
    }

    /// <summary>The audits among <paramref name="records"/> that count for the VGAC at <paramref name="baseUrl"/> (<see cref="AuditSource.CountsFor"/>; null: every audit).</summary>
    public static IEnumerable<AuditedCalibration> Audits(IEnumerable<AuditEvent> records, string? baseUrl) =>
        from e in records
        where e.Kind == AuditKind.Calibration && e.Payload is not null
        let snapshot = ActionsJson.Records.Deserialize<CalibrationSnapshot>(e.Payload!)
        where snapshot is { AuditedEce: not null } && (baseUrl is null || AuditSource.CountsFor(snapshot.Source, baseUrl))
        select new AuditedCalibration(snapshot.AuditedEce!.Value, snapshot.AuditedSamples, e.At, snapshot.AuditedEceLow, snapshot.Source);
}
