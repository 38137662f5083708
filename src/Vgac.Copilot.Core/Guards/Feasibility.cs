using System.Globalization;
using System.Text.Json.Serialization;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Guards;

/// <summary>Whether a request could ever run on the cluster as it is built.</summary>
[JsonConverter(typeof(Vgac.Copilot.Core.Text.WireNameConverter<FeasibilityLevel>))]
public enum FeasibilityLevel
{
    /// <summary>Within every limit the inventory shows.</summary>
    Feasible,

    /// <summary>Beyond a limit no wait can lift: more GPUs than exist, a type the cluster has not, a node larger than any.</summary>
    Infeasible,

    /// <summary>The inventory could not be read (or is not trusted any more): nothing was checked, and the answer says so.</summary>
    Unchecked,
}

/// <summary>
/// The feasibility guard's judgement of one request against the cluster's inventory.
/// <paramref name="Limits"/> holds one sentence per limit the request exceeds, the first the most fundamental.
/// </summary>
/// <param name="Level">Feasible, infeasible, or not checked.</param>
/// <param name="Rule">The first limit exceeded (<see cref="FeasibilityRules"/>), or <c>feasible</c> / <c>unchecked</c>.</param>
/// <param name="Ask">What the request asks, in words ("asks 200 GPUs").</param>
/// <param name="Limits">Each limit exceeded, in words ("the cluster has 104").</param>
/// <param name="Note">Why nothing was checked, for <see cref="FeasibilityLevel.Unchecked"/>.</param>
public sealed record FeasibilityVerdict(FeasibilityLevel Level, string Rule, string? Ask, IReadOnlyList<string> Limits, string? Note = null)
{
    public static FeasibilityVerdict NotChecked(string why) => new(FeasibilityLevel.Unchecked, FeasibilityRules.Unchecked, null, [], why);

    /// <summary>Not judged at all (a path with no request to judge, such as a job VGAC already queued).</summary>
    public static FeasibilityVerdict None { get; } = NotChecked("no request to check");

    public bool IsInfeasible => Level == FeasibilityLevel.Infeasible;

    /// <summary>Whether a request was judged at all (checked, or not checked for a reason worth saying).</summary>
    public bool Judged => !ReferenceEquals(this, None);

    /// <summary>One sentence: "asks 200 GPUs; the cluster has 104; the largest node has 8".</summary>
    public string Reason => Level switch
    {
        FeasibilityLevel.Infeasible => string.Join("; ", [Ask!, .. Limits]),
        FeasibilityLevel.Feasible => "within the cluster's inventory",
        _ => $"feasibility not checked: {Note}",
    };
}

/// <summary>Names of the limits a feasibility verdict can cite. Stable: evals and audits match on them.</summary>
public static class FeasibilityRules
{
    public const string Feasible = "feasible";
    public const string Unchecked = "unchecked";
    public const string GpuType = "infeasible_gpu_type";
    public const string TotalGpus = "infeasible_total_gpus";
    public const string NodeGpus = "infeasible_node_gpus";
    public const string Partition = "infeasible_partition";
    public const string PartitionGpus = "infeasible_partition_gpus";
    public const string NodeMemory = "infeasible_node_memory";
    public const string NodeCpu = "infeasible_node_cpu";
}

/// <summary>
/// The deterministic feasibility guard, beside the confidence gate: VGAC's model sees queue pressure, not the
/// cluster's shape, and is confident about jobs that can never start. A request is judged against the inventory
/// (<see cref="ClusterInventory"/>): GPUs in all, GPUs on one node for a job that is not distributed, the GPU types
/// present, a Slurm partition's GPUs where VGAC reports partitions, memory and CPU on one node. Pure: no I/O.
/// </summary>
public static class Feasibility
{
    public static FeasibilityVerdict Judge(JobSpec spec, ClusterInventory? inventory)
    {
        if (inventory is null)
        {
            return FeasibilityVerdict.NotChecked("the cluster's inventory was not read");
        }

        if (inventory.Error is { } error)
        {
            return FeasibilityVerdict.NotChecked(error);
        }

        var limits = new List<string>();
        string? rule = null;
        void Exceeds(string name, string limit)
        {
            rule ??= name;
            limits.Add(limit);
        }

        var pool = inventory.Pool(spec.GpuType);
        var what = Plural(spec.Gpus, spec.GpuType is { Length: > 0 } type ? $"{type} GPU" : "GPU");
        if (spec.GpuType is { Length: > 0 } asked && pool is null)
        {
            Exceeds(FeasibilityRules.GpuType, $"the cluster has no {asked} GPUs (it has {Types(inventory)})");
        }
        else if (spec.Gpus > 0 && pool is { } p)
        {
            var where = spec.GpuType is null ? "the cluster" : $"the cluster's {p.Type} nodes";
            if (spec.Gpus > p.Gpus)
            {
                Exceeds(FeasibilityRules.TotalGpus, $"{where} {(spec.GpuType is null ? "has" : "have")} {p.Gpus}");
            }

            if (!spec.IsDistributed && spec.Gpus > p.LargestNode)
            {
                Exceeds(FeasibilityRules.NodeGpus, $"the largest node has {p.LargestNode} (a job that is not distributed runs on one node)");
            }
        }

        if (spec.Queue is { Length: > 0 } queue && inventory.Partitions is { Count: > 0 } partitions)
        {
            if (partitions.FirstOrDefault(x => string.Equals(x.Name, queue, StringComparison.OrdinalIgnoreCase)) is not { } partition)
            {
                Exceeds(FeasibilityRules.Partition, $"there is no partition {queue} (partitions: {string.Join(", ", partitions.Select(x => x.Name))})");
            }
            else if (spec.Gpus > partition.Gpus)
            {
                Exceeds(FeasibilityRules.PartitionGpus, $"partition {partition.Name} has {partition.Gpus}");
            }
        }

        if (!spec.IsDistributed && inventory.LargestNodeMemoryGb is > 0 and var memory && spec.MemoryGb > memory)
        {
            Exceeds(FeasibilityRules.NodeMemory, $"the largest node has {Number(memory)} GB of memory (the job asks {Number(spec.MemoryGb)} GB)");
        }

        if (!spec.IsDistributed && inventory.LargestNodeCpuMillicores is > 0 and var cpu && spec.Cpu > cpu)
        {
            Exceeds(FeasibilityRules.NodeCpu, $"the largest node has {Number(cpu / 1000)} CPU cores (the job asks {Number(spec.Cpu / 1000)})");
        }

        return rule is null
            ? new FeasibilityVerdict(FeasibilityLevel.Feasible, FeasibilityRules.Feasible, null, [])
            : new FeasibilityVerdict(FeasibilityLevel.Infeasible, rule, $"asks {what}", limits);
    }

    private static string Types(ClusterInventory inventory) =>
        inventory.GpuTypes.Count == 0 ? "no typed GPUs" : string.Join(", ", inventory.GpuTypes.Select(t => $"{t.Gpus} {t.Type}"));

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Number(double value) => value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
