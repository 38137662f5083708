using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client;

/// <summary>One endpoint of the VGAC contract: method and route template.</summary>
public sealed record VgacEndpoint(string Method, string Route)
{
    /// <summary>POSTs that only compute an answer (predictions), so retrying them is safe.</summary>
    public bool IsIdempotent => Method == "GET" || Route is VgacRoutes.PredictWait or VgacRoutes.PredictBatch
        or VgacRoutes.JobsPredict or VgacRoutes.JobsPredictBatch;

    /// <summary>The name of a call's span, made once (not on every call of the prediction path).</summary>
    public string SpanName { get; } = $"VGAC {Method} {Route}";

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>Every endpoint of the contract, as the client calls it.</summary>
public static class VgacEndpoints
{
    public static readonly VgacEndpoint PredictWait = new("POST", VgacRoutes.PredictWait);
    public static readonly VgacEndpoint PredictBatch = new("POST", VgacRoutes.PredictBatch);
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
    public static readonly VgacEndpoint JobsPredict = new("POST", VgacRoutes.JobsPredict);
    public static readonly VgacEndpoint JobsPredictBatch = new("POST", VgacRoutes.JobsPredictBatch);
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
