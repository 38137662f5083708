namespace Vgac.Copilot.Contracts;

/// <summary>Response of <c>GET /api/cluster/summary</c>, as in the contract.</summary>
public sealed record ClusterSummary
{
    public required string ClusterId { get; init; }

    public required SchedulerType SchedulerType { get; init; }

    public required int TotalNodes { get; init; }

    public required int ReadyNodes { get; init; }

    public required int TotalGpus { get; init; }

    public required int AvailableGpus { get; init; }

    public required double GpuUtilization { get; init; }

    public required int PendingJobs { get; init; }

    public required int RunningJobs { get; init; }

    public required int QueueDepth { get; init; }
}

/// <summary>Response of <c>GET /api/cluster/summary/quick</c>: the fast subset. Inferred.</summary>
public sealed record QuickClusterSummary
{
    public required string ClusterId { get; init; }

    public required int TotalGpus { get; init; }

    public required int AvailableGpus { get; init; }

    public required double GpuUtilization { get; init; }

    public required int PendingJobs { get; init; }

    public required int RunningJobs { get; init; }

    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>
/// Response of <c>GET /api/cluster/bifurcation</c>. Inferred: VGAC's "bifurcation" is the split of recent waits
/// into jobs that start at once and jobs that wait long; <c>bifurcation_ratio</c> also appears in the predictor's cache.
/// </summary>
public sealed record BifurcationAnalysis
{
    public required double BifurcationRatio { get; init; }

    public required bool IsBifurcated { get; init; }

    public required double FastStartFraction { get; init; }

    public required double LongWaitFraction { get; init; }

    public required double LongWaitThresholdSeconds { get; init; }

    public double FastMedianWaitSeconds { get; init; }

    public double SlowMedianWaitSeconds { get; init; }

    public required int SampleCount { get; init; }

    public double WindowHours { get; init; }
}

/// <summary>Response of <c>GET /api/cluster/nodes</c>. Inferred.</summary>
public sealed record NodeList
{
    public required IReadOnlyList<NodeInfo> Nodes { get; init; }

    public required int Total { get; init; }
}

public sealed record NodeInfo
{
    public required string Name { get; init; }

    public required NodeStatus Status { get; init; }

    public string? GpuType { get; init; }

    public required int TotalGpus { get; init; }

    public required int AllocatedGpus { get; init; }

    public required int AvailableGpus { get; init; }

    public double CpuMillicores { get; init; }

    public double MemoryGb { get; init; }

    public int RunningJobs { get; init; }

    /// <summary>Slurm partition or Kubernetes node pool.</summary>
    public string? Pool { get; init; }
}

/// <summary>Response of <c>GET /api/cluster/slurm/status</c>. Inferred from <c>sinfo</c>.</summary>
public sealed record SlurmStatus
{
    public required string ClusterName { get; init; }

    /// <summary><c>up</c> or <c>down</c>.</summary>
    public required string Controller { get; init; }

    public required IReadOnlyList<SlurmPartition> Partitions { get; init; }

    public DateTimeOffset? Timestamp { get; init; }
}

public sealed record SlurmPartition
{
    public required string Name { get; init; }

    /// <summary><c>up</c>, <c>down</c>, <c>drain</c>.</summary>
    public required string State { get; init; }

    public required int TotalNodes { get; init; }

    public int IdleNodes { get; init; }

    public int MixedNodes { get; init; }

    public int AllocatedNodes { get; init; }

    public int DownNodes { get; init; }

    public required int TotalGpus { get; init; }

    public required int AllocatedGpus { get; init; }

    public int PendingJobs { get; init; }

    public int RunningJobs { get; init; }
}

/// <summary>Response of <c>GET /api/cluster/slurm/queue</c>. Inferred from <c>squeue</c>.</summary>
public sealed record SlurmQueue
{
    public required IReadOnlyList<SlurmJob> Jobs { get; init; }

    public required int Total { get; init; }
}

public sealed record SlurmJob
{
    public required string JobId { get; init; }

    public string? Name { get; init; }

    public string? User { get; init; }

    public required string Partition { get; init; }

    /// <summary><c>PENDING</c> or <c>RUNNING</c>, as squeue prints it.</summary>
    public required string State { get; init; }

    /// <summary>squeue's reason: <c>Resources</c>, <c>Priority</c>, <c>None</c>.</summary>
    public string? Reason { get; init; }

    public required int Gpus { get; init; }

    public int Nodes { get; set; } = 1;

    public int Priority { get; init; }

    public required DateTimeOffset SubmitTime { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public int? TimeLimitMinutes { get; init; }
}

/// <summary>Response of <c>GET /api/cluster/capacity/forecast</c>. Inferred.</summary>
public sealed record CapacityForecast
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required double HorizonHours { get; init; }

    public required string Method { get; init; }

    public required IReadOnlyList<CapacityPoint> Points { get; init; }
}

public sealed record CapacityPoint
{
    public required double HoursAhead { get; init; }

    public required double ExpectedAvailableGpus { get; init; }

    public required double ExpectedPendingJobs { get; init; }

    /// <summary>Running jobs expected to have finished by then (from their requested durations).</summary>
    public int JobsFinishing { get; init; }
}
