using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Calibration;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Caching;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>Fitted intervals as kept for the user's other runs.</summary>
/// <param name="FittedAt">When the history behind them was read.</param>
/// <param name="State">What they are made from.</param>
public sealed record SharedWaitIntervals(DateTimeOffset FittedAt, ConformalWaitsState State);

/// <summary>A prediction's wait interval, or the reason it has none (never both, never neither).</summary>
public sealed record WaitEstimate(WaitInterval? Interval, string? Reason)
{
    public static WaitEstimate Without(string reason) => new(null, reason);
}

/// <summary>
/// Conformal wait intervals calibrated on VGAC's job history (the last 1000 finished jobs and the running ones, with
/// the prediction each had at submit time): read once and kept for <see cref="CacheFor"/>, fetched beside the prediction so a cached
/// history adds nothing to its time. An interval is shown only when the guards let the number be shown as confident
/// and the history backs it; otherwise the reason is.
/// </summary>
public sealed partial class WaitIntervals(IVgacClient client, IOptions<GuardOptions> options, TimeProvider time, ILogger<WaitIntervals> logger, ISharedCache shared)
    : IDisposable
{
    // The shared read belongs to no caller, so it stops with this service: a read still running when the container is
    // disposed (a one-shot command ending, a host stopping) is cancelled rather than waited for.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Where the fitted intervals are shared with the user's other runs (<see cref="ISharedCache"/>).</summary>
    public const string SharedKey = "wait-intervals";

    public const int HistoryJobs = 1000;

    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(30);

    /// <summary>The longest a prediction waits for the history; a slow history never holds a prediction back.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Fitted? _cached;
    private Task<Fitted>? _fetching;

    public double Level => options.Value.WaitIntervalLevel;

    /// <summary>
    /// The calibrated intervals, or why there are none. One read of the history serves every concurrent caller; a
    /// read still running after <see cref="MaxWait"/> goes on in the background and fills the cache for the next one.
    /// </summary>
    public Task<(ConformalWaits? Model, string? Error)> GetAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _cached) is { } c && time.GetUtcNow() - c.At < (c.Model is null ? FailureTtl : CacheFor) ? c.Answer : GetUncachedAsync(cancellationToken);

    private async Task<(ConformalWaits? Model, string? Error)> GetUncachedAsync(CancellationToken cancellationToken)
    {
        if (FromShared() is { } kept)
        {
            Volatile.Write(ref _cached, kept);
            return (kept.Model, kept.Error);
        }

        Task<Fitted> fetching;
        lock (_gate)
        {
            // Started off this thread: a read that finishes at once must not clear _fetching before it is set.
            fetching = _fetching ??= Task.Run(FetchAsync, CancellationToken.None);
        }

        try
        {
            var fitted = await fetching.WaitAsync(MaxWait, time, cancellationToken).ConfigureAwait(false);
            return (fitted.Model, fitted.Error);
        }
        catch (TimeoutException)
        {
            return (null, $"the job history did not answer within {MaxWait.TotalSeconds:0} s");
        }
    }

    private async Task<Fitted> FetchAsync()
    {
        Fitted? fitted = null;
        try
        {
            // Not the caller's token: the read is shared, and one caller giving up does not cancel it for the others.
            // Finished jobs alone under-represent long waits (a job that waited long is likelier still running), so the
            // running ones, whose wait is known, are calibrated on too.
            var finished = client.GetJobHistoryAsync(new JobHistoryQuery(Limit: HistoryJobs), _stopping.Token);
            var running = client.GetRunningJobsAsync(HistoryJobs, cancellationToken: _stopping.Token);
            var jobs = (await finished.ConfigureAwait(false)).Jobs.Concat((await running.ConfigureAwait(false)).Jobs);
            var model = ConformalWaits.Fit(jobs
                .Where(j => j.PredictionAtSubmit?.EstimatedWaitSeconds is not null && j.WaitSeconds is not null && j.StartTime is not null)
                .Select(j => new WaitOutcome(j.PredictionAtSubmit!.ProbabilityLongWait, j.PredictionAtSubmit.EstimatedWaitSeconds!.Value, j.Gpus, j.WaitSeconds!.Value,
                    j.SubmitTime.ToUnixTimeMilliseconds() / 1000.0)));
            fitted = new Fitted(model, null, time.GetUtcNow());
            shared.Write(SharedKey, new SharedWaitIntervals(fitted.At, model.State), CacheJsonContext.Default.SharedWaitIntervals);
        }
        catch (VgacApiException ex) when (!_stopping.IsCancellationRequested)
        {
            LogUnavailable(ex.Message);
            fitted = new Fitted(null, $"the job history could not be read ({ex.Message})", time.GetUtcNow());
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            fitted = new Fitted(null, "the copilot is stopping", time.GetUtcNow());
        }
        finally
        {
            // Whatever happened, the next caller starts a new read (an unexpected failure is not cached).
            lock (_gate)
            {
                _cached = fitted ?? _cached;
                _fetching = null;
            }
        }

        return fitted;
    }

    private sealed record Fitted(ConformalWaits? Model, string? Error, DateTimeOffset At)
    {
        /// <summary>The answer as a completed task, so that a cache hit (every prediction's case) allocates nothing.</summary>
        public Task<(ConformalWaits? Model, string? Error)> Answer { get; } = Task.FromResult((Model, Error));
    }

    /// <summary>Cancels a history read still running; nothing waits for it.</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>Intervals another run fitted less than <see cref="CacheFor"/> ago, if they check out; else null.</summary>
    private Fitted? FromShared()
    {
        var now = time.GetUtcNow();
        var kept = shared.Read(SharedKey, CacheJsonContext.Default.SharedWaitIntervals, k => now - k.FittedAt >= TimeSpan.FromSeconds(-5) && now - k.FittedAt < CacheFor);
        return ConformalWaits.FromState(kept?.State) is { } model ? new Fitted(model, null, kept!.FittedAt) : null;
    }

    /// <summary>The interval for one judged prediction, or the reason there is none.</summary>
    public WaitEstimate For((ConformalWaits? Model, string? Error) history, GuardReport guards, double? estimatedWaitSeconds, double probability, int gpus)
    {
        var refused = guards.ShownAs switch
        {
            ShownAs.Infeasible => $"no interval: the job cannot start on this cluster ({guards.Feasibility!.Reason})",
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
