namespace Vgac.Copilot.Contracts;

/// <summary>
/// One job as the job endpoints return it. The contract names the router and the enums but no job shape;
/// these fields are inferred from <c>JobSpec</c>, <c>JobState</c>, <c>JobType</c> and the history's need to audit
/// calibration (the prediction made at submit time beside the actual wait).
/// </summary>
public sealed record JobInfo
{
    public required string JobId { get; init; }

    public string? Name { get; init; }

    public string? User { get; init; }

    public required string Namespace { get; init; }

    public string? Queue { get; init; }

    public required JobState State { get; init; }

    public JobType JobType { get; set; } = JobType.Gpu;

    public required int Gpus { get; init; }

    public string? GpuType { get; init; }

    public double Cpu { get; init; }

    public double MemoryGb { get; init; }

    public int Priority { get; init; }

    public required DateTimeOffset SubmitTime { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>start − submit for started jobs; time waited so far for pending ones.</summary>
    public double? WaitSeconds { get; init; }

    public double? RuntimeSeconds { get; init; }

    public IReadOnlyList<string>? Nodes { get; init; }

    /// <summary>Position in the queue, 1-based, for pending jobs.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>Why a pending job is waiting, or why a finished job failed.</summary>
    public string? Reason { get; init; }

    /// <summary>The prediction VGAC made when the job was submitted, if any.</summary>
    public SubmitPrediction? PredictionAtSubmit { get; init; }

    /// <summary>Observed outcome for started jobs: did the wait exceed the long-wait threshold?</summary>
    public bool? LongWait { get; init; }
}

/// <summary>The prediction recorded at submit time, kept in the job history so clients can audit calibration.</summary>
public sealed record SubmitPrediction
{
    public required double ProbabilityLongWait { get; init; }

    public required double Confidence { get; init; }

    public double? EstimatedWaitSeconds { get; init; }

    public bool IsCalibrated { get; init; }

    public string? ModelVersion { get; init; }

    /// <summary>Features the model saw.</summary>
    public double? PendingRatio { get; init; }

    public int? PendingAtSubmit { get; init; }
}

/// <summary>Response of <c>/api/jobs/pending</c>, <c>/api/jobs/running</c> and <c>/api/jobs/history</c>. Inferred.</summary>
public sealed record JobList
{
    public required IReadOnlyList<JobInfo> Jobs { get; init; }

    /// <summary>How many jobs matched before the limit was applied.</summary>
    public required int Total { get; init; }
}

/// <summary>Response of <c>GET /api/jobs/queue</c>. Inferred from "current queue snapshot".</summary>
public sealed record JobQueueSnapshot
{
    public required DateTimeOffset Timestamp { get; init; }

    public required int QueueDepth { get; init; }

    public required int PendingJobs { get; init; }

    public required int RunningJobs { get; init; }

    public int PendingGpus { get; init; }

    public int RunningGpus { get; init; }

    public double OldestPendingSeconds { get; init; }

    /// <summary>Pending jobs in queue order, capped by <c>limit</c>.</summary>
    public required IReadOnlyList<JobInfo> Jobs { get; init; }
}

/// <summary>Response of <c>GET /api/jobs/history/stats</c>. Inferred.</summary>
public sealed record JobHistoryStats
{
    public required double WindowHours { get; init; }

    public required int TotalJobs { get; init; }

    public required int Succeeded { get; init; }

    public required int Failed { get; init; }

    public required int Cancelled { get; init; }

    public required double AvgWaitSeconds { get; init; }

    public required double P50WaitSeconds { get; init; }

    public required double P90WaitSeconds { get; init; }

    public required double P95WaitSeconds { get; init; }

    public double P99WaitSeconds { get; init; }

    public double AvgRuntimeSeconds { get; init; }

    public required double LongWaitThresholdSeconds { get; init; }

    public required double LongWaitRate { get; init; }

    public IReadOnlyList<NamespaceStats> ByNamespace { get; set; } = [];
}

public sealed record NamespaceStats
{
    public required string Namespace { get; init; }

    public required int Jobs { get; init; }

    public required double AvgWaitSeconds { get; init; }

    public required double LongWaitRate { get; init; }
}

/// <summary>Response of <c>GET /api/jobs/history/failures</c>. Inferred from "failure pattern analysis".</summary>
public sealed record FailureAnalysis
{
    public required double WindowHours { get; init; }

    public required int TotalJobs { get; init; }

    public required int TotalFailures { get; init; }

    public required double FailureRate { get; init; }

    public required IReadOnlyList<FailurePattern> Patterns { get; init; }
}

public sealed record FailurePattern
{
    public required string Reason { get; init; }

    public required int Count { get; init; }

    /// <summary>Share of all failures, in [0, 1].</summary>
    public required double Share { get; init; }

    public IReadOnlyList<string> Namespaces { get; set; } = [];

    public IReadOnlyList<string> ExampleJobIds { get; set; } = [];
}
