using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Engine;

/// <summary>A node of the simulated cluster. GPUs (or, for CPU traces, slots) are the scheduled resource.</summary>
internal sealed class SimNode(string name, string pool, string gpuType, int gpus, double cpuMillicores, double memoryGb)
{
    public string Name { get; } = name;

    /// <summary>Node pool (Kubernetes) or partition (Slurm).</summary>
    public string Pool { get; } = pool;

    public string GpuType { get; } = gpuType;

    public int Gpus { get; } = gpus;

    public int FreeGpus { get; set; } = gpus;

    public double CpuMillicores { get; } = cpuMillicores;

    public double MemoryGb { get; } = memoryGb;

    public NodeStatus Status { get; set; } = NodeStatus.Ready;

    public int RunningJobs { get; set; }

    public bool IsReady => Status == NodeStatus.Ready;

    public int AllocatedGpus => Gpus - FreeGpus;
}

/// <summary>One node's share of a job's allocation.</summary>
internal readonly record struct Allocation(SimNode Node, int Gpus);
