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

    private readonly SharedValue<ClusterInventory> _value = new(
        shared, SharedKey, CacheJsonContext.Default.ClusterInventory, time,
        readAt: i => i.FetchedAt,
        usable: i => i.Error is null,
        lasts: i => i.Error is null ? TimeSpan.FromSeconds(options.Value.InventoryMaxAgeSeconds) : FailureTtl,
        // Another run's inventory, if it checks out: figures in range, and names a scheduler could carry.
        accept: i => i is { Nodes: > 0, TotalGpus: >= 0, LargestNodeGpus: >= 0 and <= ClusterInventory.MaxGpusPerNode }
            && i.LargestNodeGpus <= i.TotalGpus
            && i.GpuTypes.All(t => Identifiers.Partition(t.Type) is null && t.Gpus >= 0 && t.LargestNode <= t.Gpus)
            && (i.Partitions is null || i.Partitions.All(p => Identifiers.Partition(p.Name) is null && p.Gpus >= 0)));

    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="fresh">Read it from VGAC now, whatever is cached (a re-check before an action).</param>
    public Task<ClusterInventory> GetAsync(CancellationToken cancellationToken = default, bool fresh = false) =>
        _value.GetAsync(FetchAsync, cancellationToken, fresh);

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
