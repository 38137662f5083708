using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Core.Observation;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch;

/// <summary>What the Observer saw this cycle.</summary>
public sealed record ObservationSnapshot(ClusterObservation Cluster, IReadOnlyList<ObservedFinding> Findings);

/// <summary>The cluster as the Observer saw it (the trail's own record, not the tool's result).</summary>
public sealed record ClusterObservation(
    string ClusterId, string Scheduler, int NodesReady, int NodesTotal, int GpusTotal, int GpusAvailable, double GpuUtilization, int JobsPending, int JobsRunning, int QueueDepth)
{
    public static ClusterObservation From(ClusterSummary s) =>
        new(s.ClusterId, s.SchedulerType.ToString().ToLowerInvariant(), s.ReadyNodes, s.TotalNodes, s.TotalGpus, s.AvailableGpus,
            Math.Round(s.GpuUtilization, 3), s.PendingJobs, s.RunningJobs, s.QueueDepth);
}

/// <summary>An anomaly the Observer recorded.</summary>
public sealed record ObservedFinding(string Kind, string Severity, string Detail)
{
    public static ObservedFinding From(Finding f) => new(f.Kind, f.Severity, f.Detail);
}

/// <summary>What one cycle saw, proposed, ran and verified.</summary>
public sealed record CycleReport(
    long Cycle,
    DateTimeOffset At,
    string? Outage,
    ObservationSnapshot? Observation,
    CalibrationSnapshot? Calibration,
    Autonomy Autonomy,
    int Predicted,
    IReadOnlyList<ActionProposal> Proposals,
    int SkippedDuplicates,
    IReadOnlyList<ExecutionRecord> Executions,
    int Verified,
    int Interrupted,
    string? Failure = null)
{
    public DriftLevel Drift => Calibration?.Drift ?? DriftLevel.Unknown;

    /// <summary>The cluster the cycle watched.</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;

    /// <summary>What a failed cycle had committed before it failed (null: nothing).</summary>
    public string? Recorded { get; init; }

    /// <summary>A cycle that failed for a reason other than VGAC, with what it had recorded by then (<paramref name="recorded"/>; null: nothing).</summary>
    public static CycleReport Failed(DateTimeOffset at, Autonomy autonomy, string failure, string? recorded = null) =>
        new(0, at, null, null, null, autonomy, 0, [], 0, [], 0, 0, failure) { Recorded = recorded };
}
