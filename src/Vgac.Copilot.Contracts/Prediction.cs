namespace Vgac.Copilot.Contracts;

/// <summary>A job submission to predict for (<c>JobSpec</c> in <c>src/api/routers/predict.py</c>).</summary>
public record JobSpec
{
    /// <summary>Number of GPUs requested.</summary>
    public int Gpus { get; init; }

    /// <summary>CPU in millicores.</summary>
    public double Cpu { get; set; } = 1000;

    public double MemoryGb { get; set; } = 1;

    public int Priority { get; init; }

    public string Namespace { get; set; } = "default";

    public string? Queue { get; init; }

    public int? EstimatedDurationMinutes { get; init; }

    public bool IsDistributed { get; init; }

    public string? GpuType { get; init; }
}

/// <summary>Response of <c>POST /api/predict/wait</c> (<c>PredictionResult</c> in the contract).</summary>
public sealed record PredictionResult
{
    /// <summary>Calibrated P(long wait), in [0, 1].</summary>
    public required double ProbabilityLongWait { get; init; }

    public required double EstimatedWaitSeconds { get; init; }

    /// <summary><c>low</c>, <c>medium</c> or <c>high</c>.</summary>
    public required string WaitCategory { get; init; }

    /// <summary>Model confidence in [0, 1]; VGAC's gate is 0.6.</summary>
    public required double Confidence { get; init; }

    public required bool IsCalibrated { get; init; }

    public string? Recommendation { get; init; }

    /// <summary>Server-side inference time in microseconds.</summary>
    public required long LatencyUs { get; init; }

    /// <summary>
    /// Policy the generator derived from the prediction. Not in the contract's example; the contract says the
    /// prediction endpoints "include policy recommendations", so this is the most plausible place. Optional.
    /// </summary>
    public PolicyRecommendation? Policy { get; init; }

    public string? ModelVersion { get; init; }
}

/// <summary>
/// Scheduling policy derived from a prediction. Shape inferred from <c>src/policy/generator.py</c>'s vocabulary
/// (the contract gives no JSON for it).
/// </summary>
public sealed record PolicyRecommendation
{
    public required PriorityClass PriorityClass { get; init; }

    public required PreemptionPolicy PreemptionPolicy { get; init; }

    public double? MemoryHintGb { get; init; }

    public bool? AllowTimeSlicing { get; init; }

    public string? Reason { get; init; }
}

/// <summary>Body of <c>POST /api/predict/batch</c>. Inferred: a list of <see cref="JobSpec"/>.</summary>
public sealed record BatchPredictRequest
{
    public required IReadOnlyList<JobSpec> Jobs { get; init; }
}

/// <summary>Response of <c>POST /api/predict/batch</c>. Inferred: one result per spec, in order.</summary>
public sealed record BatchPredictResponse
{
    public required IReadOnlyList<PredictionResult> Predictions { get; init; }

    public required int Count { get; init; }

    public long? TotalLatencyUs { get; init; }
}

/// <summary>Response of <c>GET /api/predict/stats</c>. Inferred from "service statistics".</summary>
public sealed record PredictionServiceStats
{
    public required long TotalPredictions { get; init; }

    public required double AvgLatencyUs { get; init; }

    public double? P50LatencyUs { get; init; }

    public double? P99LatencyUs { get; init; }

    public required string ModelVersion { get; init; }

    public required bool IsCalibrated { get; init; }

    public DateTimeOffset? LastRefit { get; init; }

    public long? ErrorCount { get; init; }

    public double? UptimeSeconds { get; init; }
}

/// <summary>
/// Response of <c>GET /api/predict/cluster-state</c>: the predictor's cluster-state cache
/// (<c>ClusterStateCache</c> in <c>fast_predictor.py</c>).
/// </summary>
public sealed record PredictorClusterState
{
    public required int TotalGpus { get; init; }

    public required int AvailableGpus { get; init; }

    public required int PendingJobs { get; init; }

    public required int PendingGpuJobs { get; init; }

    public required int RunningJobs { get; init; }

    public required double GpuUtilization { get; init; }

    public required double PendingRatio { get; init; }

    public required double BifurcationRatio { get; init; }

    public required double AvgWaitLastHour { get; init; }

    public required double P95WaitLastHour { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Response of <c>GET /api/predict/health</c>. Inferred.</summary>
public sealed record PredictionHealth
{
    /// <summary><c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</summary>
    public required string Status { get; init; }

    public required bool ModelLoaded { get; init; }

    public string? ModelVersion { get; init; }

    public string? Version { get; init; }

    public double? UptimeSeconds { get; init; }
}
