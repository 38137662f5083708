using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Observation;

/// <summary>An anomaly found in one consistent read of the cluster: what kind, how bad, and the numbers behind it.</summary>
public sealed record Finding(string Kind, string Severity, string Detail);

/// <summary>
/// What the Observer sees: the cluster's summary, and the anomaly checks over one consistent read of cluster, nodes,
/// queue, predictor state, history and bifurcation. The Observer's tools and the watch loop both ask it.
/// </summary>
public sealed class ClusterObserver(IVgacClient vgac)
{
    /// <summary>How many checks <see cref="AnomaliesAsync"/> runs.</summary>
    public int Checks => AnomalyRules.Count;

    public Task<ClusterSummary> SummaryAsync(CancellationToken cancellationToken) => vgac.GetClusterSummaryAsync(cancellationToken);

    public async Task<IReadOnlyList<Finding>> AnomaliesAsync(CancellationToken cancellationToken)
    {
        var summaryTask = vgac.GetClusterSummaryAsync(cancellationToken);
        var nodesTask = vgac.GetNodesAsync(cancellationToken);
        var queueTask = vgac.GetJobQueueAsync(100, cancellationToken);
        var stateTask = vgac.GetPredictorClusterStateAsync(cancellationToken);
        var statsTask = vgac.GetJobHistoryStatsAsync(24, cancellationToken);
        var bifurcationTask = vgac.GetBifurcationAsync(cancellationToken);
        await Task.WhenAll(summaryTask, nodesTask, queueTask, stateTask, statsTask, bifurcationTask).ConfigureAwait(false);
        return AnomalyRules.Find(summaryTask.Result, nodesTask.Result, queueTask.Result, stateTask.Result, statsTask.Result, bifurcationTask.Result);
    }
}
