using Microsoft.Extensions.Logging;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Watch.Loop;

/// <summary>When the next cycle starts, and why.</summary>
public sealed record NextCycle(TimeSpan Delay, int ConsecutiveOutages)
{
    public bool BackingOff => ConsecutiveOutages > 0 && !Last;

    /// <summary>No cycle follows (<c>--once</c>, or the last of <c>--cycles N</c>): nothing to back off from or wait for.</summary>
    public bool Last { get; init; }
}

/// <summary>
/// Runs <see cref="WatchCycle"/> at the configured interval until stopped. A cycle, once started, is finished even
/// when a stop is requested (Ctrl+C stops cleanly after it); only the wait between cycles is cut short. While VGAC
/// is down the interval doubles per failed cycle up to <see cref="WatchOptions.MaxBackoffSeconds"/>, and returns to
/// normal after the first good cycle. A cycle that fails for another reason (the audit database busy or its disk
/// full, say) is logged with its details and retried with the same backoff; after
/// <see cref="MaxConsecutiveFailures"/> in a row the loop gives up and the error reaches the caller.
/// </summary>
public sealed partial class WatchLoop(WatchCycle cycle, WatchOptions options, TimeProvider time, ILogger<WatchLoop> logger)
{
    public const int MaxConsecutiveFailures = 5;

    /// <param name="onCycle">Called after each cycle with its report and when the next one starts.</param>
    /// <param name="beforeCycle">Called before each cycle (the demo advances its simulated clock here).</param>
    /// <param name="maxCycles">Stop after this many cycles; null runs until <paramref name="stop"/>.</param>
    /// <param name="stop">Requests a stop after the current cycle.</param>
    /// <param name="leadership">With replicas on a shared store: cycles run only while this replica leads.</param>
    /// <param name="standingBy">Told who leads while this replica waits.</param>
    public async Task<long> RunAsync(
        Func<CycleReport, NextCycle, Task> onCycle, Func<long, CancellationToken, Task>? beforeCycle, int? maxCycles, CancellationToken stop,
        WatchLeadership? leadership = null, Func<Lease, Task>? standingBy = null)
    {
        var ran = 0L;
        var streak = new Streak();
        while (!stop.IsCancellationRequested && (maxCycles is null || ran < maxCycles))
        {
            if (leadership is { Leading: false } && await leadership.LeadAsync(standingBy ?? (_ => Task.CompletedTask), stop).ConfigureAwait(false) is null)
            {
                break;
            }

            var started = time.GetTimestamp();
            if (beforeCycle is not null)
            {
                await beforeCycle(ran, CancellationToken.None).ConfigureAwait(false);
            }

            if (await CycleAsync(streak, leadership, started).ConfigureAwait(false) is not { } report)
            {
                continue; // leadership lost: another replica runs the next cycle
            }

            ran++;
            var last = maxCycles is { } max && ran >= max;
            streak.Outages = report.Outage is null && report.Failure is null ? 0 : streak.Outages + 1;
            var interval = TimeSpan.FromSeconds(options.IntervalSeconds);
            var delay = streak.Outages == 0 ? interval : Backoff(interval, streak.Outages);
            if (report.Outage is { } outage && !last)
            {
                LogBackingOff(report.Cycle, streak.Outages, delay.TotalSeconds, outage);
            }

            var remaining = delay - time.GetElapsedTime(started);
            await onCycle(report, new NextCycle(streak.Outages == 0 && remaining > TimeSpan.Zero ? remaining : delay, streak.Outages) { Last = last }).ConfigureAwait(false);
            if (last)
            {
                break;
            }

            try
            {
                await Task.Delay(streak.Outages > 0 ? delay : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }

        return ran;
    }

    /// <summary>Cycles in a row that failed, and that met an outage (the back-off grows with them).</summary>
    private sealed class Streak
    {
        public int Failures { get; set; }

        public int Outages { get; set; }
    }

    /// <summary>
    /// One cycle, traced and counted: its report (a failed one standing in for a cycle that threw, until too many
    /// have in a row), or null when this replica lost the leadership during it.
    /// </summary>
    private async Task<CycleReport?> CycleAsync(Streak streak, WatchLeadership? leadership, long started)
    {
        CycleReport report;
        using var activity = Client.CopilotTelemetry.Source.StartActivity("watch cycle");
        activity?.SetTag("vgac.cluster", cycle.Cluster);
        try
        {
            report = await cycle.RunOnceAsync(CancellationToken.None).ConfigureAwait(false);
            streak.Failures = 0;
        }
        catch (LeadershipLostException lost) when (leadership is not null)
        {
            // Another replica leads now; what this one wrote before the fence stands, nothing after it was written.
            await leadership.LostAsync(lost.Message).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (++streak.Failures < MaxConsecutiveFailures)
        {
            LogCycleFailed(ex, streak.Failures, ex.Message);
            report = CycleReport.Failed(time.GetUtcNow(), cycle.Autonomy, ex.Message, cycle.Committed) with { Cluster = cycle.Cluster };
        }

        var outcome = report.Failure is not null ? "failed" : report.Outage is not null ? "outage" : "ok";
        activity?.SetTag("vgac.cycle", report.Cycle);
        activity?.SetTag("vgac.outcome", outcome);
        Client.CopilotTelemetry.WatchCycles.Add(1, new("vgac.cluster", cycle.Cluster), new("vgac.outcome", outcome));
        Client.CopilotTelemetry.WatchCycleDuration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("vgac.cluster", cycle.Cluster));
        return report;
    }

    private TimeSpan Backoff(TimeSpan interval, int outages)
    {
        var seconds = interval.TotalSeconds * Math.Pow(2, Math.Min(outages, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, Math.Max(options.MaxBackoffSeconds, interval.TotalSeconds)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A watch cycle failed ({Failures} in a row; giving up at 5): {Error}")]
    private partial void LogCycleFailed(Exception exception, int failures, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cycle {Cycle}: VGAC unavailable ({Outages} in a row), backing off {DelaySeconds:0.#} s: {Error}")]
    private partial void LogBackingOff(long cycle, int outages, double delaySeconds, string error);
}
