using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Caching;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>
/// The calibration in force: what VGAC reports (checked against the contract) beside the latest audit the copilot
/// made itself and persisted (<see cref="ICalibrationAudits"/>, no older than <see cref="GuardOptions.AuditMaxAgeMinutes"/>);
/// the guards use the worse. Cached for <see cref="GuardOptions.CalibrationCacheSeconds"/> so a burst of predictions
/// costs one calibration call; <c>fresh: true</c> (a re-check after a person's confirmation) bypasses the cache. A
/// failure is not cached for long and yields an "unavailable" status that the guards treat as uncalibrated.
/// </summary>
public sealed partial class CalibrationProvider(
    IVgacClient client, ICalibrationAudits audits, IOptions<GuardOptions> options, TimeProvider time, ILogger<CalibrationProvider> logger, ISharedCache shared)
{
    /// <summary>Where the status is shared with the user's other runs (<see cref="ISharedCache"/>).</summary>
    public const string SharedKey = "calibration";

    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(5);

    private readonly SharedValue<CalibrationStatus> _value = new(
        shared, SharedKey, CacheJsonContext.Default.CalibrationStatus, time,
        readAt: s => s.FetchedAt,
        usable: s => s.IsAvailable,
        lasts: s => s.IsAvailable ? TimeSpan.FromSeconds(options.Value.CalibrationCacheSeconds) : FailureTtl,
        // Another run's status, if it checks out: every figure in range.
        accept: s => s is { ReportedSamples: >= 0, AuditedSamples: >= 0 }
            && new[] { s.ReportedEce, s.ReportedBrier, s.AuditedEce, s.AuditedEceLow }.All(v => v is null || VgacValues.Unit(v.Value, "figure") is null));

    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="fresh">Ask VGAC and the audit store now, whatever is cached.</param>
    public Task<CalibrationStatus> GetAsync(CancellationToken cancellationToken = default, bool fresh = false) =>
        _value.GetAsync(FetchAsync, cancellationToken, fresh);

    /// <summary>
    /// Forgets the cached status here and for the user's other runs, so the next read asks VGAC and the audit store:
    /// the watch loop calls it once a cycle has recorded its own audit.
    /// </summary>
    public void Invalidate()
    {
        Volatile.Write(ref _pending, null);
        _value.Forget();
    }

    private AuditedCalibration? _pending;

    /// <summary>
    /// An audit this process made and is about to record (the watch cycle's, committed with the cycle): until
    /// <see cref="Invalidate"/> (called once it is in the trail), every read here weighs it with the audits in force, so
    /// nothing the cycle proposes or starts is judged on a calibration that leaves its own audit out. A broken figure is
    /// not held.
    /// </summary>
    public void Hold(AuditedCalibration audit)
    {
        if (VgacValues.Unit(audit.Ece, "audited ECE") is null && audit.Samples >= 0 && (audit.EceLow is null || audit.EceLow <= audit.Ece))
        {
            Volatile.Write(ref _pending, audit);
            _value.Forget();
        }
    }

    /// <summary>
    /// Records an audit the copilot made itself (persisted where the host keeps audits); from now on every process
    /// reading them judges against the worse of reported and audited. A broken figure is refused, not recorded.
    /// </summary>
    /// <param name="ece">The audit's (debiased) ECE.</param>
    /// <param name="samples">Outcomes behind it.</param>
    /// <param name="eceLow">Lower end of its interval, which drift is judged on; null to judge drift on <paramref name="ece"/>.</param>
    /// <param name="source">The VGAC it audited.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task RecordAuditAsync(double ece, int samples, double? eceLow, AuditSource source, CancellationToken cancellationToken)
    {
        if (VgacValues.Unit(ece, "audited ECE") is null && samples >= 0 && (eceLow is null || VgacValues.Unit(eceLow.Value, "ECE") is null && eceLow <= ece))
        {
            await audits.RecordAsync(ece, samples, eceLow, source, cancellationToken).ConfigureAwait(false);
        }

        Invalidate();
    }

    /// <summary>
    /// The guards' view of a calibration answer the caller already has (no second call to VGAC): VGAC's figures with
    /// the copilot's latest audit beside them, exactly as <see cref="GetAsync"/> would combine them.
    /// </summary>
    public async Task<CalibrationStatus> WithAuditsAsync(Contracts.CalibrationMetrics reported, CancellationToken cancellationToken)
    {
        var audit = await audits.InForceAsync(TimeSpan.FromMinutes(options.Value.AuditMaxAgeMinutes), cancellationToken).ConfigureAwait(false);
        return CalibrationStatus.FromVgac(reported, audit, time.GetUtcNow());
    }

    private async Task<CalibrationStatus> FetchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var auditTask = audits.InForceAsync(TimeSpan.FromMinutes(options.Value.AuditMaxAgeMinutes), cancellationToken);
        try
        {
            var c = await client.GetCalibrationAsync(cancellationToken).ConfigureAwait(false);
            var audit = await auditTask.ConfigureAwait(false);
            if (Volatile.Read(ref _pending) is { } pending)
            {
                // The audit about to be recorded counts as if it were: the worse of it and those in force.
                audit = AuditedCalibration.Worst(audit is null ? [pending] : [audit, pending], options.Value.LearningModeMinSamples) ?? audit;
            }

            var status = CalibrationStatus.FromVgac(c, audit, now);
            if (!status.IsAvailable)
            {
                LogUnavailable(status.Error!);
            }

            return status;
        }
        catch (VgacApiException ex)
        {
            LogUnavailable(ex.Message);
            return CalibrationStatus.Unavailable(ex.Message, now);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calibration status unavailable, guards treat the model as uncalibrated: {Error}")]
    private partial void LogUnavailable(string error);
}
