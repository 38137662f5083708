using System.Globalization;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Observation;

/// <summary>Deterministic anomaly checks over one consistent read of cluster and queue state.</summary>
public static class AnomalyRules
{
    public const int Count = 5;

    public static IReadOnlyList<Finding> Find(ClusterSummary summary, NodeList nodes, JobQueueSnapshot queue, PredictorClusterState state, JobHistoryStats stats, BifurcationAnalysis bifurcation)
    {
        var findings = new List<Finding>();
        var down = nodes.Nodes.Where(n => n.Status is not (NodeStatus.Ready or NodeStatus.Schedulable)).ToList();
        if (down.Count > 0)
        {
            findings.Add(new("nodes_not_ready", "warning",
                I($"{down.Count} of {Words.Count(nodes.Total, "node")} {(down.Count == 1 ? "is" : "are")} not ready ({string.Join(", ", down.Take(3).Select(n => n.Name))}), {Words.Count(down.Sum(n => n.TotalGpus), "GPU")} out of service.")));
        }

        if (summary.AvailableGpus > 0 && queue.PendingJobs > 0)
        {
            var largestFree = nodes.Nodes.Where(n => n.Status == NodeStatus.Ready).Select(n => n.AvailableGpus).DefaultIfEmpty(0).Max();
            var blocked = queue.Jobs.Count(j => j.Gpus > largestFree);
            findings.Add(new("gpus_idle_while_jobs_wait", blocked > 0 ? "warning" : "info",
                I($"{Words.Count(summary.AvailableGpus, "GPU")} {Words.Is(summary.AvailableGpus)} free while {Words.Count(queue.PendingJobs, "job")} {Words.Verb(queue.PendingJobs, "wait")}; the largest free block on one node is {Words.Count(largestFree, "GPU")} and {blocked} of the listed waiting jobs {Words.Verb(blocked, "need")} more (fragmentation).")));
        }

        if (queue.PendingJobs > 0 && queue.OldestPendingSeconds > stats.LongWaitThresholdSeconds)
        {
            findings.Add(new("stale_queue", queue.OldestPendingSeconds > 4 * stats.LongWaitThresholdSeconds ? "warning" : "info",
                I($"The oldest pending job has waited {queue.OldestPendingSeconds / 60:0} min; the long-wait threshold is {stats.LongWaitThresholdSeconds / 60:0} min.")));
        }

        if (stats.P95WaitSeconds > 0 && state.P95WaitLastHour > 2 * stats.P95WaitSeconds)
        {
            findings.Add(new("wait_spike", "warning",
                I($"p95 wait in the last hour is {state.P95WaitLastHour:0} s, {state.P95WaitLastHour / stats.P95WaitSeconds:0.0}x the 24 h p95 of {stats.P95WaitSeconds:0} s.")));
        }

        if (bifurcation.IsBifurcated)
        {
            findings.Add(new("bifurcated_waits", "info",
                I($"Waits are bifurcated: {bifurcation.FastStartFraction:P0} start within a minute, {bifurcation.LongWaitFraction:P0} wait over {bifurcation.LongWaitThresholdSeconds / 60:0} min (median {bifurcation.SlowMedianWaitSeconds / 60:0} min).")));
        }

        return findings;
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
