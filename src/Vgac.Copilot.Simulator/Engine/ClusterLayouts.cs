using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Engine;

/// <summary>The nodes a simulation starts with.</summary>
internal static class ClusterLayouts
{
    /// <summary>
    /// The default cluster: 10 A100 nodes of 8 GPUs and 6 V100 nodes of 4 (104 GPUs). Kubernetes names them
    /// like EKS node groups; Slurm like ParallelCluster compute nodes, in two partitions.
    /// </summary>
    public static List<SimNode> Default(SchedulerType flavor)
    {
        var nodes = new List<SimNode>();
        for (var i = 0; i < 10; i++)
        {
            nodes.Add(flavor == SchedulerType.Slurm
                ? new SimNode($"gpu-st-p4d-{i + 1}", "gpu", "A100", 8, 96_000, 1152)
                : new SimNode($"ip-10-0-{10 + i}-{100 + i}.ec2.internal", "a100-pool", "A100", 8, 96_000, 1152));
        }

        for (var i = 0; i < 6; i++)
        {
            nodes.Add(flavor == SchedulerType.Slurm
                ? new SimNode($"gpu-small-st-p3-{i + 1}", "gpu-small", "V100", 4, 32_000, 244)
                : new SimNode($"ip-10-0-{30 + i}-{200 + i}.ec2.internal", "v100-pool", "V100", 4, 32_000, 244));
        }

        return nodes;
    }

    /// <summary>Nodes sized to hold a trace: <paramref name="count"/> nodes of <paramref name="slots"/> units.</summary>
    public static List<SimNode> Uniform(int count, int slots, string gpuType, string pool) =>
        [.. Enumerable.Range(1, count).Select(i => new SimNode($"{pool}-{i:D4}", pool, gpuType, slots, slots * 4000, slots * 32))];
}
