using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Calibration;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>A prediction's wait interval, or the reason it has none (never both, never neither).</summary>
public sealed record WaitEstimate(WaitInterval? Interval, string? Reason)
{
    public static WaitEstimate Without(string reason) => new(null, reason);
}

/// <summary>
/// Conformal wait intervals calibrated on VGAC's job history (the last 1000 finished jobs, with the prediction each
/// had at submit time): read once and kept for <see cref="CacheFor"/>, fetched beside the prediction so a cached
/// history adds nothing to its time. An interval is shown only when the guards let the number be shown as confident
/// and the history backs it; otherwise the reason is.
/// </summary>
public sealed partial class WaitIntervals(IVgacClient client, IOptions<GuardOptions> options, TimeProvider time, ILogger<WaitIntervals> logger)
{
    public const int HistoryJobs = 1000;

    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(30);

    private (ConformalWaits? Model, string? Error, DateTimeOffset At)? _cached;

    public double Level => options.Value.WaitIntervalLevel;

    /// <summary>The calibrated intervals, or why there are none (the history could not be read).</summary>
    public async Task<(ConformalWaits? Model, string? Error)> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cached is { } c && now - c.At < (c.Model is null ? FailureTtl : CacheFor))
        {
            return (c.Model, c.Error);
        }

        try
        {
            var history = await client.GetJobHistoryAsync(new JobHistoryQuery(Limit: HistoryJobs), cancellationToken).ConfigureAwait(false);
            var model = ConformalWaits.Fit(history.Jobs
                .Where(j => j.PredictionAtSubmit?.EstimatedWaitSeconds is not null && j.WaitSeconds is not null)
                .Select(j => new WaitOutcome(j.PredictionAtSubmit!.ProbabilityLongWait, j.PredictionAtSubmit.EstimatedWaitSeconds!.Value, j.Gpus, j.WaitSeconds!.Value)));
            _cached = (model, null, now);
        }
        catch (VgacApiException ex)
        {
            LogUnavailable(ex.Message);
            _cached = (null, $"the job history could not be read ({ex.Message})", now);
        }

        return (_cached.Value.Model, _cached.Value.Error);
    }

    /// <summary>The interval for one judged prediction, or the reason there is none.</summary>
    public WaitEstimate For((ConformalWaits? Model, string? Error) history, GuardReport guards, double? estimatedWaitSeconds, double probability, int gpus)
    {
        var refused = guards.ShownAs switch
        {
            ShownAs.Fallback => "no interval for a fallback",
            ShownAs.LowConfidence => "no interval: the confidence is below the gate",
            ShownAs.RecalibrationRequired => "no interval while recalibration is required",
            _ when history.Model is null => $"no interval: {history.Error}",
            _ when estimatedWaitSeconds is null => "no interval: VGAC gave no wait estimate",
            _ => null,
        };
        if (refused is not null)
        {
            return WaitEstimate.Without(refused);
        }

        return history.Model!.Interval(probability, estimatedWaitSeconds!.Value, gpus, Level, out var reason) is { } interval
            ? new WaitEstimate(interval, null)
            : WaitEstimate.Without($"no interval: {reason}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job history unavailable, predictions go without wait intervals: {Error}")]
    private partial void LogUnavailable(string error);
}
