namespace Vgac.Copilot.Core.Calibration;

/// <summary>An audit of the model the copilot made itself: its ECE on recent outcomes, and when.</summary>
/// <param name="Ece">Debiased ECE measured against outcomes.</param>
/// <param name="Samples">Outcomes behind it.</param>
/// <param name="At">When it was made (the clock that stamps the audit trail).</param>
/// <param name="EceLow">Lower end of its interval, which drift is judged on (null: judged on <paramref name="Ece"/>).</param>
public sealed record AuditedCalibration(double Ece, int Samples, DateTimeOffset At, double? EceLow = null);

/// <summary>
/// Where the copilot's own calibration audits are kept, so that every process that may act (the watch loop, an
/// approval from the CLI, an MCP or REPL apply) judges against the latest one, not only the process that made it.
/// The default keeps them in memory; the watch registers one over the audit trail.
/// </summary>
public interface ICalibrationAudits
{
    /// <summary>Records an audit made now (by the clock that stamps the store's records).</summary>
    Task RecordAsync(double ece, int samples, double? eceLow, CancellationToken cancellationToken);

    /// <summary>The latest audit no older than <paramref name="maxAge"/>, or null.</summary>
    Task<AuditedCalibration?> LatestAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}

/// <summary>Audits kept in this process only (hosts without an audit trail).</summary>
public sealed class InMemoryCalibrationAudits(TimeProvider time) : ICalibrationAudits
{
    private AuditedCalibration? _latest;

    public Task RecordAsync(double ece, int samples, double? eceLow, CancellationToken cancellationToken)
    {
        _latest = new AuditedCalibration(ece, samples, time.GetUtcNow(), eceLow);
        return Task.CompletedTask;
    }

    public Task<AuditedCalibration?> LatestAsync(TimeSpan maxAge, CancellationToken cancellationToken) =>
        Task.FromResult(_latest is { } a && time.GetUtcNow() - a.At <= maxAge ? a : null);
}
