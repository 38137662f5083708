using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Tools.Results;

/// <summary>A job, compact: what a model needs to reason about it.</summary>
public sealed record JobBrief(
    string JobId,
    string? Name,
    string Namespace,
    string State,
    int Gpus,
    string? GpuType,
    int Priority,
    double? WaitSeconds,
    int? QueuePosition,
    string? Reason,
    double? PLongWaitAtSubmit,
    double? ConfidenceAtSubmit,
    bool? LongWait)
{
    public static JobBrief From(JobInfo j) => new(
        j.JobId, j.Name, j.Namespace, j.State.ToString().ToLowerInvariant(), j.Gpus, j.GpuType, j.Priority,
        j.WaitSeconds is { } w ? Math.Round(w) : null, j.QueuePosition, j.Reason,
        j.PredictionAtSubmit?.ProbabilityLongWait is { } p ? Math.Round(p, 3) : null,
        j.PredictionAtSubmit?.Confidence is { } c ? Math.Round(c, 3) : null, j.LongWait);
}

/// <summary>A capped list: the items shown, how many matched, how many were left out.</summary>
public sealed record JobListResult(IReadOnlyList<JobBrief> Jobs, int Total, int Omitted);

public sealed record JobQueueResult(int QueueDepth, int JobsPending, int JobsRunning, int GpusPending, int GpusRunning, double OldestPendingSeconds, IReadOnlyList<JobBrief> Jobs, int Omitted)
{
    /// <summary>Whether the oldest pending job is among <see cref="Jobs"/> (listed in queue order, not by age).</summary>
    public bool OldestListed => Jobs.Count > 0 && Jobs.Max(j => j.WaitSeconds ?? 0) >= OldestPendingSeconds - 60;
}

public sealed record JobDetailsResult(JobBrief Job, string? User, string? Queue, double Cpu, double MemoryGb, DateTimeOffset SubmitTime, DateTimeOffset? StartTime, DateTimeOffset? EndTime, double? RuntimeSeconds, IReadOnlyList<string>? Nodes);

public sealed record HistoryStatsResult(
    double WindowHours,
    int JobsTotal,
    int Succeeded,
    int Failed,
    int Cancelled,
    double WaitP50Seconds,
    double WaitP90Seconds,
    double WaitP95Seconds,
    double WaitAvgSeconds,
    double LongWaitThresholdSeconds,
    double LongWaitRate,
    IReadOnlyList<NamespaceStats> ByNamespace,
    int NamespacesOmitted)
{
    /// <summary>
    /// The namespace asked about, when one was: its own jobs, mean wait and long-wait rate (VGAC reports percentiles
    /// for the whole cluster only), with no jobs when it ran none in the window.
    /// </summary>
    public NamespaceStats? Namespace { get; init; }
}

public sealed record FailureResult(double WindowHours, int JobsTotal, int Failures, double FailureRate, IReadOnlyList<FailurePattern> Patterns, int PatternsOmitted);
