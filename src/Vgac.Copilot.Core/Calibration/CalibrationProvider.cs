using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>
/// The current calibration status from VGAC, cached for <see cref="GuardOptions.CalibrationCacheSeconds"/> so a
/// burst of predictions costs one calibration call. A failure is not cached for long and yields an
/// "unavailable" status that the guards treat as uncalibrated — never as calibrated.
/// </summary>
public sealed partial class CalibrationProvider(IVgacClient client, IOptions<GuardOptions> options, TimeProvider time, ILogger<CalibrationProvider> logger)
{
    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private CalibrationStatus? _cached;
    private (double Ece, int Samples)? _audit;

    public async Task<CalibrationStatus> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh(_cached) is { } hit)
        {
            return hit;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_cached) is { } raced)
            {
                return raced;
            }

            _cached = await FetchAsync(cancellationToken).ConfigureAwait(false);
            return _cached;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forgets the cached status, so the next read asks VGAC (the watch loop does this once per cycle).</summary>
    public void Invalidate() => _cached = null;

    /// <summary>Records an audit the copilot made itself; from now on the guards use the worse of reported and audited.</summary>
    public void RecordAudit(double ece, int samples)
    {
        _audit = (ece, samples);
        _cached = null;
    }

    private CalibrationStatus? Fresh(CalibrationStatus? status)
    {
        if (status is null)
        {
            return null;
        }

        var ttl = status.IsAvailable ? TimeSpan.FromSeconds(options.Value.CalibrationCacheSeconds) : FailureTtl;
        return time.GetUtcNow() - status.FetchedAt < ttl ? status : null;
    }

    private async Task<CalibrationStatus> FetchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var c = await client.GetCalibrationAsync(cancellationToken).ConfigureAwait(false);
            return new CalibrationStatus(c.Ece, c.BrierScore, c.SampleCount, c.RecalibrationNeeded, c.LastRecalibration, _audit?.Ece, _audit?.Samples ?? 0, now, null);
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
