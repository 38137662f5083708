using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client;

/// <summary>One endpoint of the VGAC contract: method, route template, and whether a POST may be retried.</summary>
/// <param name="Method">The HTTP verb.</param>
/// <param name="Route">The route template (<see cref="VgacRoutes"/>).</param>
/// <param name="PureComputation">A POST that only computes an answer (a prediction): sent twice, it changes nothing.</param>
public sealed record VgacEndpoint(string Method, string Route, bool PureComputation = false)
{
    /// <summary>Whether retrying is safe: every GET, and the POSTs the table marks as pure computations.</summary>
    public bool IsIdempotent => Method == "GET" || PureComputation;

    /// <summary>The name of a call's span, made once (not on every call of the prediction path).</summary>
    public string SpanName { get; } = $"VGAC {Method} {Route}";

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>
/// Every endpoint of the contract, as the client calls it: the one table of verbs, routes and retry-safety. The Refit
/// interface, the simulator and the retry rule are checked against it (EndpointTableTests, SimulatorEndpointTableTests).
/// </summary>
public static class VgacEndpoints
{
    public static readonly VgacEndpoint PredictWait = new("POST", VgacRoutes.PredictWait, PureComputation: true);
    public static readonly VgacEndpoint PredictBatch = new("POST", VgacRoutes.PredictBatch, PureComputation: true);
    public static readonly VgacEndpoint PredictStats = new("GET", VgacRoutes.PredictStats);
    public static readonly VgacEndpoint PredictClusterState = new("GET", VgacRoutes.PredictClusterState);
    public static readonly VgacEndpoint PredictWebhook = new("POST", VgacRoutes.PredictWebhook);
    public static readonly VgacEndpoint PredictHealth = new("GET", VgacRoutes.PredictHealth);
    public static readonly VgacEndpoint JobsQueue = new("GET", VgacRoutes.JobsQueue);
    public static readonly VgacEndpoint JobsPending = new("GET", VgacRoutes.JobsPending);
    public static readonly VgacEndpoint JobsRunning = new("GET", VgacRoutes.JobsRunning);
    public static readonly VgacEndpoint JobsHistory = new("GET", VgacRoutes.JobsHistory);
    public static readonly VgacEndpoint JobsHistoryStats = new("GET", VgacRoutes.JobsHistoryStats);
    public static readonly VgacEndpoint JobsHistoryFailures = new("GET", VgacRoutes.JobsHistoryFailures);
    public static readonly VgacEndpoint JobById = new("GET", VgacRoutes.JobById);
    public static readonly VgacEndpoint JobsPredict = new("POST", VgacRoutes.JobsPredict, PureComputation: true);
    public static readonly VgacEndpoint JobsPredictBatch = new("POST", VgacRoutes.JobsPredictBatch, PureComputation: true);
    public static readonly VgacEndpoint JobsPredictPending = new("GET", VgacRoutes.JobsPredictBatch);
    public static readonly VgacEndpoint JobsPredictCalibration = new("GET", VgacRoutes.JobsPredictCalibration);
    public static readonly VgacEndpoint ClusterSummary = new("GET", VgacRoutes.ClusterSummary);
    public static readonly VgacEndpoint ClusterSummaryQuick = new("GET", VgacRoutes.ClusterSummaryQuick);
    public static readonly VgacEndpoint ClusterBifurcation = new("GET", VgacRoutes.ClusterBifurcation);
    public static readonly VgacEndpoint ClusterNodes = new("GET", VgacRoutes.ClusterNodes);
    public static readonly VgacEndpoint ClusterSlurmStatus = new("GET", VgacRoutes.ClusterSlurmStatus);
    public static readonly VgacEndpoint ClusterSlurmQueue = new("GET", VgacRoutes.ClusterSlurmQueue);
    public static readonly VgacEndpoint ClusterCapacityForecast = new("GET", VgacRoutes.ClusterCapacityForecast);

    public static IReadOnlyList<VgacEndpoint> All { get; } =
    [
        PredictWait, PredictBatch, PredictStats, PredictClusterState, PredictWebhook, PredictHealth,
        JobsQueue, JobsPending, JobsRunning, JobsHistory, JobsHistoryStats, JobsHistoryFailures, JobById,
        JobsPredict, JobsPredictBatch, JobsPredictPending, JobsPredictCalibration,
        ClusterSummary, ClusterSummaryQuick, ClusterBifurcation, ClusterNodes, ClusterSlurmStatus, ClusterSlurmQueue,
        ClusterCapacityForecast,
    ];
}
