using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Guards;

/// <summary>GPUs of one type: how many in all, and the most on one node.</summary>
public sealed record GpuPool(string Type, int Gpus, int LargestNode);

/// <summary>A Slurm partition's size, as VGAC reports it.</summary>
public sealed record PartitionSize(string Name, int Gpus);

/// <summary>
/// What the cluster can hold, from VGAC's node inventory (<c>GET /api/cluster/nodes</c>) and, on Slurm, its
/// partitions (<c>GET /api/cluster/slurm/status</c>): the feasibility guard's evidence. Every node counts, ready or
/// not (a node that is down comes back; a GPU that does not exist does not). Made only by <see cref="From"/>, which
/// checks VGAC's figures: an inventory it cannot trust is <see cref="Error"/>, and nothing is judged against it.
/// </summary>
public sealed record ClusterInventory
{
    /// <summary>Most GPUs one node may report before the figure is taken for an error.</summary>
    public const int MaxGpusPerNode = 256;

    public int Nodes { get; init; }

    public int TotalGpus { get; init; }

    public int LargestNodeGpus { get; init; }

    /// <summary>GPUs by type; empty when VGAC named no types (a typed request is then judged against every GPU).</summary>
    public IReadOnlyList<GpuPool> GpuTypes { get; init; } = [];

    public double? LargestNodeMemoryGb { get; init; }

    public double? LargestNodeCpuMillicores { get; init; }

    /// <summary>Slurm's partitions; null when VGAC reports none (not Slurm, or not reachable).</summary>
    public IReadOnlyList<PartitionSize>? Partitions { get; init; }

    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>Why the inventory cannot be used; null when it can.</summary>
    public string? Error { get; init; }

    public static ClusterInventory Unavailable(string error, DateTimeOffset now) => new() { Error = error, FetchedAt = now };

    /// <summary>The GPUs a request of <paramref name="type"/> may use; null when the cluster has none of that type.</summary>
    public GpuPool? Pool(string? type)
    {
        if (type is not { Length: > 0 } || GpuTypes.Count == 0)
        {
            return new GpuPool("any", TotalGpus, LargestNodeGpus);
        }

        // "H100" matches a type VGAC names "NVIDIA-H100-80GB" as well as "h100".
        var matching = GpuTypes.Where(p => p.Type.Contains(type, StringComparison.OrdinalIgnoreCase)).ToList();
        return matching.Count == 0 ? null : new GpuPool(matching.Count == 1 ? matching[0].Type : type, matching.Sum(p => p.Gpus), matching.Max(p => p.LargestNode));
    }

    /// <summary>The inventory VGAC's answers describe, or an unusable one saying what in them cannot be trusted.</summary>
    public static ClusterInventory From(NodeList nodes, SlurmStatus? slurm, DateTimeOffset now)
    {
        if (nodes.Nodes.Count == 0)
        {
            return Unavailable("VGAC's node inventory lists no nodes", now);
        }

        if (nodes.Total > nodes.Nodes.Count)
        {
            return Unavailable($"VGAC's node inventory lists {nodes.Nodes.Count} of {nodes.Total} nodes", now);
        }

        foreach (var node in nodes.Nodes)
        {
            if (node.TotalGpus is < 0 or > MaxGpusPerNode || !double.IsFinite(node.MemoryGb) || node.MemoryGb < 0 || !double.IsFinite(node.CpuMillicores) || node.CpuMillicores < 0)
            {
                return Unavailable($"VGAC's node inventory has a node with figures out of range ({node.TotalGpus} GPUs, {node.MemoryGb} GB, {node.CpuMillicores} millicores)", now);
            }
        }

        // Types name what the person asked for: only names a scheduler could carry are kept; any other leaves types unknown.
        var typed = nodes.Nodes.Where(n => n.TotalGpus > 0).ToList();
        var namesUsable = typed.All(n => n.GpuType is { } t && Identifiers.Partition(t) is null);
        IReadOnlyList<GpuPool> types = namesUsable
            ? [.. typed.GroupBy(n => n.GpuType!, StringComparer.OrdinalIgnoreCase).Select(g => new GpuPool(g.Key, g.Sum(n => n.TotalGpus), g.Max(n => n.TotalGpus))).OrderByDescending(p => p.Gpus)]
            : [];
        var partitions = slurm?.Partitions is { Count: > 0 } reported && reported.All(p => Identifiers.Partition(p.Name) is null && p.TotalGpus >= 0)
            ? reported.Select(p => new PartitionSize(p.Name, p.TotalGpus)).ToList()
            : null;
        var memory = nodes.Nodes.Max(n => n.MemoryGb);
        var cpu = nodes.Nodes.Max(n => n.CpuMillicores);
        return new ClusterInventory
        {
            Nodes = nodes.Nodes.Count,
            TotalGpus = nodes.Nodes.Sum(n => n.TotalGpus),
            LargestNodeGpus = nodes.Nodes.Max(n => n.TotalGpus),
            GpuTypes = types,
            LargestNodeMemoryGb = memory > 0 ? memory : null,
            LargestNodeCpuMillicores = cpu > 0 ? cpu : null,
            Partitions = partitions,
            FetchedAt = now,
        };
    }
}
