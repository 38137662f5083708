using System.ComponentModel;
using System.Globalization;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools;

/// <summary>Observer: what the cluster and its queue look like now, and what happened recently.</summary>
public sealed class ObserverPlugin(IVgacClient vgac, Core.Observation.ClusterObserver observer)
{
    [VgacTool(ToolNames.ObserverClusterSummary, Title = "Cluster summary")]
    [Description("Cluster at a glance: nodes, free GPUs, utilization, job counts. Start here.")]
    public async Task<ClusterResult> ClusterSummaryAsync(CancellationToken cancellationToken = default)
    {
        var s = await vgac.GetClusterSummaryAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterResult(s.ClusterId, s.SchedulerType.ToString().ToLowerInvariant(), s.ReadyNodes, s.TotalNodes, s.TotalGpus, s.AvailableGpus,
            Math.Round(s.GpuUtilization, 3), s.PendingJobs, s.RunningJobs, s.QueueDepth);
    }

    [VgacTool(ToolNames.ObserverQuickSummary, Title = "Quick cluster state")]
    [Description("Cheapest snapshot of GPUs and job counts.")]
    public async Task<QuickClusterSummary> QuickSummaryAsync(CancellationToken cancellationToken = default) =>
        await vgac.GetQuickClusterSummaryAsync(cancellationToken).ConfigureAwait(false);

    [VgacTool(ToolNames.ObserverNodes, Title = "Node inventory")]
    [Description("GPU nodes with status and free GPUs; finds not-ready nodes.")]
    public async Task<NodesResult> NodesAsync(
        [Description("Only nodes in this status: ready, not_ready, cordoned.")] string? status = null,
        [Description("Max rows (1-100).")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var list = await vgac.GetNodesAsync(cancellationToken).ConfigureAwait(false);
        var nodes = list.Nodes.Select(n => new NodeBrief(n.Name, Snake(n.Status.ToString()), n.GpuType, n.TotalGpus, n.AllocatedGpus, n.AvailableGpus, n.Pool))
            .Where(n => status is null || n.Status == status.ToLowerInvariant())
            .OrderBy(n => n.Status == "ready").ThenByDescending(n => n.GpusAvailable).ToList();
        var (shown, omitted) = ToolArgs.Cap(nodes, limit);
        return new NodesResult(shown, nodes.Count, omitted, list.Nodes.GroupBy(n => Snake(n.Status.ToString())).ToDictionary(g => g.Key, g => g.Count()));
    }

    [VgacTool(ToolNames.ObserverBifurcation, Title = "Wait bifurcation")]
    [Description("Do waits split into instant starts and long waits? Both modes measured.")]
    public async Task<BifurcationResult> BifurcationAsync(CancellationToken cancellationToken = default)
    {
        var b = await vgac.GetBifurcationAsync(cancellationToken).ConfigureAwait(false);
        return new BifurcationResult(Math.Round(b.BifurcationRatio, 3), b.IsBifurcated, Math.Round(b.FastStartFraction, 3), Math.Round(b.LongWaitFraction, 3),
            b.LongWaitThresholdSeconds, Math.Round(b.FastMedianWaitSeconds), Math.Round(b.SlowMedianWaitSeconds), b.SampleCount);
    }

    [VgacTool(ToolNames.ObserverSlurmStatus, Title = "Slurm partitions")]
    [Description("Slurm only: partitions with node states and GPU allocation (like sinfo).")]
    public async Task<SlurmStatusResult> SlurmStatusAsync(CancellationToken cancellationToken = default)
    {
        var s = await vgac.GetSlurmStatusAsync(cancellationToken).ConfigureAwait(false);
        return new SlurmStatusResult(s.ClusterName, s.Controller,
            [.. s.Partitions.Select(p => new SlurmPartitionBrief(p.Name, p.State, p.TotalNodes, p.IdleNodes, p.DownNodes, p.TotalGpus, p.AllocatedGpus, p.PendingJobs, p.RunningJobs))]);
    }

    [VgacTool(ToolNames.ObserverSlurmQueue, Title = "Slurm queue")]
    [Description("Slurm only: running and pending jobs with squeue reasons (Resources, Priority).")]
    public async Task<SlurmQueueResult> SlurmQueueAsync([Description("Max rows (1-100).")] int limit = 15, CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var q = await vgac.GetSlurmQueueAsync(limit, cancellationToken).ConfigureAwait(false);
        return new SlurmQueueResult([.. q.Jobs.Select(j => new SlurmJobBrief(j.JobId, j.Name, j.User, j.Partition, j.State, j.Reason, j.Gpus, j.Priority, j.TimeLimitMinutes))],
            q.Total, Math.Max(0, q.Total - q.Jobs.Count));
    }

    [VgacTool(ToolNames.ObserverCapacityForecast, Title = "Capacity forecast")]
    [Description("Expected free GPUs and pending jobs by hour; helps pick a submit time.")]
    public async Task<ForecastResult> CapacityForecastAsync([Description("Hours ahead (1-72).")] double horizon_hours = 6, CancellationToken cancellationToken = default)
    {
        ToolArgs.Hours(horizon_hours, "horizon_hours", 72);
        var f = await vgac.GetCapacityForecastAsync(horizon_hours, cancellationToken).ConfigureAwait(false);
        return new ForecastResult(f.Method, [.. f.Points.Select(p => new ForecastPoint(p.HoursAhead, p.ExpectedAvailableGpus, p.ExpectedPendingJobs, p.JobsFinishing))]);
    }

    [VgacTool(ToolNames.ObserverJobQueue, Title = "Job queue")]
    [Description("Pending jobs in queue order with why each waits. Use for 'why are my jobs stuck'.")]
    public async Task<JobQueueResult> JobQueueAsync([Description("Max rows (1-100).")] int limit = 10, CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var q = await vgac.GetJobQueueAsync(limit, cancellationToken).ConfigureAwait(false);
        return new JobQueueResult(q.QueueDepth, q.PendingJobs, q.RunningJobs, q.PendingGpus, q.RunningGpus, Math.Round(q.OldestPendingSeconds),
            [.. q.Jobs.Select(JobBrief.From)], Math.Max(0, q.QueueDepth - q.Jobs.Count));
    }

    [VgacTool(ToolNames.ObserverJobs, Title = "Pending or running jobs")]
    [Description("Pending or running jobs, optionally for one namespace.")]
    public async Task<JobListResult> JobsAsync(
        [Description("pending or running.")] string state = "pending",
        [Description("Only this namespace.")] string? @namespace = null,
        [Description("Max rows (1-100).")] int limit = 10,
        CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var which = ToolArgs.State(state, JobState.Pending, JobState.Running);
        @namespace = ToolArgs.Namespace(@namespace);
        var list = which == JobState.Running
            ? await vgac.GetRunningJobsAsync(limit, @namespace, cancellationToken).ConfigureAwait(false)
            : await vgac.GetPendingJobsAsync(limit, @namespace, cancellationToken).ConfigureAwait(false);
        return new JobListResult([.. list.Jobs.Select(JobBrief.From)], list.Total, Math.Max(0, list.Total - list.Jobs.Count));
    }

    [VgacTool(ToolNames.ObserverJobDetails, Title = "Job details")]
    [Description("One job by id: state, resources, wait, nodes, and the prediction made at submit.")]
    public async Task<JobDetailsResult> JobDetailsAsync([Description("The job id.")] string job_id, CancellationToken cancellationToken = default)
    {
        var j = await vgac.GetJobAsync(ToolArgs.JobId(job_id), cancellationToken).ConfigureAwait(false);
        return new JobDetailsResult(JobBrief.From(j), j.User, j.Queue, j.Cpu, j.MemoryGb, j.SubmitTime, j.StartTime, j.EndTime, j.RuntimeSeconds, j.Nodes);
    }

    [VgacTool(ToolNames.ObserverJobHistory, Title = "Job history")]
    [Description("Finished jobs, newest first, with actual wait and submit-time prediction.")]
    public async Task<JobListResult> JobHistoryAsync(
        [Description("succeeded, failed or cancelled.")] string? state = null,
        [Description("Only this namespace.")] string? @namespace = null,
        [Description("Only jobs that ended in the last N hours.")] double? since_hours = null,
        [Description("Max rows (1-100).")] int limit = 10,
        CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var which = ToolArgs.State(state, JobState.Succeeded, JobState.Failed, JobState.Cancelled);
        @namespace = ToolArgs.Namespace(@namespace);
        DateTimeOffset? since = null;
        if (since_hours is { } h)
        {
            ToolArgs.Hours(h, "since_hours");
            var now = (await vgac.GetQuickClusterSummaryAsync(cancellationToken).ConfigureAwait(false)).Timestamp ?? DateTimeOffset.UtcNow;
            since = now.AddHours(-h);
        }

        var list = await vgac.GetJobHistoryAsync(new JobHistoryQuery(limit, @namespace, which, since), cancellationToken).ConfigureAwait(false);
        return new JobListResult([.. list.Jobs.Select(JobBrief.From)], list.Total, Math.Max(0, list.Total - list.Jobs.Count));
    }

    [VgacTool(ToolNames.ObserverHistoryStats, Title = "Wait statistics")]
    [Description("Wait percentiles, long-wait rate and outcomes over a window, per namespace too.")]
    public async Task<HistoryStatsResult> HistoryStatsAsync(
        [Description("Window in hours.")] double window_hours = 24,
        [Description("One namespace's jobs, mean wait and long-wait rate (percentiles stay cluster-wide).")] string? @namespace = null,
        CancellationToken cancellationToken = default)
    {
        ToolArgs.Hours(window_hours, "window_hours");
        @namespace = ToolArgs.Namespace(@namespace);
        var s = await vgac.GetJobHistoryStatsAsync(window_hours, cancellationToken).ConfigureAwait(false);
        var (shown, omitted) = ToolArgs.Cap(s.ByNamespace.OrderByDescending(n => n.Jobs).ToList(), 8);
        return new HistoryStatsResult(s.WindowHours, s.TotalJobs, s.Succeeded, s.Failed, s.Cancelled, Math.Round(s.P50WaitSeconds), Math.Round(s.P90WaitSeconds),
            Math.Round(s.P95WaitSeconds), Math.Round(s.AvgWaitSeconds), s.LongWaitThresholdSeconds, Math.Round(s.LongWaitRate, 3), shown, omitted)
        {
            Namespace = @namespace is null ? null
                : s.ByNamespace.FirstOrDefault(n => string.Equals(n.Namespace, @namespace, StringComparison.Ordinal)) is { } one
                    ? one with { AvgWaitSeconds = Math.Round(one.AvgWaitSeconds), LongWaitRate = Math.Round(one.LongWaitRate, 3) }
                    : new NamespaceStats { Namespace = @namespace, Jobs = 0, AvgWaitSeconds = 0, LongWaitRate = 0 },
        };
    }

    [VgacTool(ToolNames.ObserverFailurePatterns, Title = "Failure patterns")]
    [Description("Why jobs failed recently: reasons grouped with counts, namespaces and examples.")]
    public async Task<FailureResult> FailurePatternsAsync([Description("Window in hours.")] double window_hours = 24, CancellationToken cancellationToken = default)
    {
        ToolArgs.Hours(window_hours, "window_hours");
        var f = await vgac.GetFailureAnalysisAsync(window_hours, cancellationToken).ConfigureAwait(false);
        var (shown, omitted) = ToolArgs.Cap(f.Patterns, 8);
        return new FailureResult(f.WindowHours, f.TotalJobs, f.TotalFailures, Math.Round(f.FailureRate, 3), shown, omitted);
    }

    [VgacTool(ToolNames.ObserverAnomalies, Title = "Anomaly findings")]
    [Description("Finds trouble: nodes down, idle GPUs with waiting jobs, stale queue, wait spikes.")]
    public async Task<AnomaliesResult> AnomaliesAsync(CancellationToken cancellationToken = default) =>
        new(await observer.AnomaliesAsync(cancellationToken).ConfigureAwait(false), observer.Checks);

    private static string Snake(string pascal) => string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString(CultureInfo.InvariantCulture)));
}
