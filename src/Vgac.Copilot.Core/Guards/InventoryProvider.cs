using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Caching;

namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// The cluster's inventory in force for the feasibility guard: read from VGAC once (nodes and, where VGAC reports
/// them, Slurm's partitions, both at once), shared with the user's other runs like the calibration, and never used
/// past <see cref="GuardOptions.InventoryMaxAgeSeconds"/>. A failure is kept for a few seconds only and yields an
/// inventory the guard does not judge against (the answer says feasibility was not checked).
/// </summary>
public sealed partial class InventoryProvider(IVgacClient client, IOptions<GuardOptions> options, TimeProvider time, ILogger<InventoryProvider> logger, ISharedCache shared)
{
    /// <summary>Where the inventory is shared with the user's other runs (<see cref="ISharedCache"/>).</summary>
    public const string SharedKey = "inventory";

    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Task<ClusterInventory>? _cached;

    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="fresh">Read it from VGAC now, whatever is cached (a re-check before an action).</param>
    public Task<ClusterInventory> GetAsync(CancellationToken cancellationToken = default, bool fresh = false) =>
        !fresh && _cached is { } hit && Fresh(hit.Result) is not null ? hit : GetUncachedAsync(cancellationToken, fresh);

    private async Task<ClusterInventory> GetUncachedAsync(CancellationToken cancellationToken, bool fresh)
    {
        if (fresh)
        {
            return Remember(Share(await FetchAsync(cancellationToken).ConfigureAwait(false)));
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Remember((Fresh(_cached?.Result) ?? Fresh(FromShared())) ?? Share(await FetchAsync(cancellationToken).ConfigureAwait(false)));
        }
        finally
        {
            _refresh.Release();
        }
    }

    private ClusterInventory Remember(ClusterInventory inventory)
    {
        if (!ReferenceEquals(_cached?.Result, inventory))
        {
            _cached = Task.FromResult(inventory);
        }

        return inventory;
    }

    private ClusterInventory Share(ClusterInventory inventory)
    {
        if (inventory.Error is null)
        {
            shared.Write(SharedKey, inventory, CacheJsonContext.Default.ClusterInventory);
        }

        return inventory;
    }

    /// <summary>Another run's inventory, if it checks out: usable, figures in range, names a scheduler could carry, and not too old.</summary>
    private ClusterInventory? FromShared() => shared.Read(SharedKey, CacheJsonContext.Default.ClusterInventory, i =>
        i is { Error: null, Nodes: > 0, TotalGpus: >= 0, LargestNodeGpus: >= 0 and <= ClusterInventory.MaxGpusPerNode }
        && i.LargestNodeGpus <= i.TotalGpus
        && i.GpuTypes.All(t => Identifiers.Partition(t.Type) is null && t.Gpus >= 0 && t.LargestNode <= t.Gpus)
        && (i.Partitions is null || i.Partitions.All(p => Identifiers.Partition(p.Name) is null && p.Gpus >= 0))
        && i.FetchedAt <= time.GetUtcNow().AddSeconds(5));

    private ClusterInventory? Fresh(ClusterInventory? inventory)
    {
        if (inventory is null)
        {
            return null;
        }

        var ttl = inventory.Error is null ? TimeSpan.FromSeconds(options.Value.InventoryMaxAgeSeconds) : FailureTtl;
        return time.GetUtcNow() - inventory.FetchedAt < ttl ? inventory : null;
    }

    private async Task<ClusterInventory> FetchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var slurm = SlurmAsync(cancellationToken);
        try
        {
            var nodes = await client.GetNodesAsync(cancellationToken).ConfigureAwait(false);
            var inventory = ClusterInventory.From(nodes, await slurm.ConfigureAwait(false), now);
            if (inventory.Error is { } error)
            {
                LogUnavailable(error);
            }

            return inventory;
        }
        catch (VgacApiException ex)
        {
            LogUnavailable(ex.Message);
            return ClusterInventory.Unavailable($"the cluster's inventory could not be read: {ex.Message}", now);
        }
    }

    /// <summary>Slurm's partitions, where VGAC reports them (a cluster of another scheduler answers 404: no partitions).</summary>
    private async Task<SlurmStatus?> SlurmAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetSlurmStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster inventory unavailable, feasibility is not checked: {Error}")]
    private partial void LogUnavailable(string error);
}
