using Microsoft.Extensions.Logging;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Watch.Loop;

/// <summary>
/// Leadership of one cluster's watch among replicas on a shared store: a lease (<c>watch:CLUSTER</c>) renewed
/// every third of its length, with a fencing token that grows each time it changes hands. Only the leader runs
/// cycles; every append it makes carries the token, and the store refuses it once another replica has taken the
/// lease, so a leader that stalled past its lease (a long GC, a paused VM) cannot record a cycle or start an action
/// after its successor has. A leader killed outright is replaced once its lease lapses; a clean stop gives it up at once.
/// </summary>
public sealed partial class WatchLeadership(ILeaseStore backend, LeaseFenceHolder fence, string cluster, TimeSpan ttl, TimeProvider time, ILogger<WatchLeadership> logger)
    : IAsyncDisposable, IDisposable
{
    private CancellationTokenSource? _renewing;
    private Task? _renewer;

    /// <summary>This replica: host, process and a random part (a restarted process with a recycled id is someone new).</summary>
    public string Holder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public string Name => $"watch:{cluster}";

    public bool Leading => fence.Current is not null;

    /// <summary>Waits until this replica leads (the lease free, lapsed, or its own), telling <paramref name="standingBy"/> who leads meanwhile.</summary>
    /// <returns>The lease, or null when stopped first.</returns>
    public async Task<Lease?> LeadAsync(Func<Lease, Task> standingBy, CancellationToken stop)
    {
        Lease? reported = null;
        while (!stop.IsCancellationRequested)
        {
            (bool Granted, Lease Lease)? answer = null;
            try
            {
                answer = await backend.LeadAsync(Name, Holder, ttl, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreTrouble(ex))
            {
                // The store restarting or out of reach must not end a standby (or every replica at once): ask again.
                LogRenewFailed(ex, Name, ex.Message);
            }

            if (answer is not var (granted, lease))
            {
                if (!await PauseAsync(stop).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (granted)
            {
                fence.Current = new LeaseFence(Name, Holder, lease.Token);
                LogLeading(Name, Holder, lease.Token);
                Client.CopilotTelemetry.LeaderChanges.Add(1, new("vgac.cluster", cluster), new("vgac.change", "acquired"));
                StartRenewing();
                return lease;
            }

            if (reported is null || reported.Holder != lease.Holder || reported.Token != lease.Token)
            {
                LogStandingBy(Name, Holder, lease.Holder, lease.Token);
                await standingBy(lease).ConfigureAwait(false);
                reported = lease;
            }

            if (!await PauseAsync(stop).ConfigureAwait(false))
            {
                break;
            }
        }

        return null;
    }

    /// <summary>A third of the lease; false when stopped meanwhile.</summary>
    private async Task<bool> PauseAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(ttl / 3, time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Leadership gone (refused append or another holder): no more fenced appends, said once, counted once.</summary>
    private void Lose(string why)
    {
        fence.Current = null;
        LogLost(Name, Holder, why);
        Client.CopilotTelemetry.LeaderChanges.Add(1, new("vgac.cluster", cluster), new("vgac.change", "lost"));
    }

    private static bool IsStoreTrouble(Exception ex) => ex is AuditStoreException or System.Data.Common.DbException or TimeoutException;

    /// <summary>The store refused a fenced append: another replica leads now. Stand by until the lease is free again.</summary>
    public async Task LostAsync(string why)
    {
        await StopRenewingAsync().ConfigureAwait(false);
        Lose(why);
    }

    private void StartRenewing()
    {
        _renewing = new CancellationTokenSource();
        var token = _renewing.Token;
        _renewer = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(ttl / 3, time, token).ConfigureAwait(false);
                    var (granted, lease) = await backend.LeadAsync(Name, Holder, ttl, token).ConfigureAwait(false);
                    if (!granted)
                    {
                        Lose($"{lease.Holder} took the lease (token {lease.Token})");
                        return;
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (IsStoreTrouble(ex))
                {
                    // The store is unreachable: keep trying while the lease lasts; the fence refuses anything after it.
                    LogRenewFailed(ex, Name, ex.Message);
                }
            }
        }, CancellationToken.None);
    }

    private async Task StopRenewingAsync()
    {
        if (_renewing is { } renewing)
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await (_renewer ?? Task.CompletedTask).ConfigureAwait(false);
            renewing.Dispose();
            _renewing = null;
        }
    }

    /// <summary>A clean stop: the lease is given up at once, so a standing-by replica need not wait for it to lapse.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopRenewingAsync().ConfigureAwait(false);
        if (fence.Current is not null)
        {
            fence.Current = null;
            try
            {
                await backend.ReleaseAsync(Name, Holder, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreTrouble(ex))
            {
                LogRenewFailed(ex, Name, ex.Message);
            }
        }
    }

    /// <summary>A container disposed without awaiting: renewal stops; the lease lapses by itself.</summary>
    public void Dispose()
    {
        _renewing?.Cancel();
        fence.Current = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading {Lease} as {Holder} (fencing token {Token})")]
    private partial void LogLeading(string lease, string holder, long token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Standing by for {Lease} as {Holder}: {Leader} leads (fencing token {Token})")]
    private partial void LogStandingBy(string lease, string holder, string leader, long token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Lease} as {Holder}: {Why}")]
    private partial void LogLost(string lease, string holder, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew {Lease}: {Error}")]
    private partial void LogRenewFailed(Exception exception, string lease, string error);
}
