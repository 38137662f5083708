using Refit;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// The VGAC REST API as Refit sees it: one method per endpoint of the contract but one. Callers use
/// <see cref="IVgacClient"/>, which adds error mapping; this interface is the wire shape only.
/// </summary>
internal interface IVgacApi
{
    // Prediction router. POST /api/predict/wait is not here: it is the latency-critical path, and VgacClient
    // sends it straight through the same named HttpClient (same handlers, same resilience) without Refit's
    // request builder, which cost a quarter of a loopback prediction.
    [Post(VgacRoutes.PredictBatch)]
    Task<BatchPredictResponse> PredictBatchAsync([Body] BatchPredictRequest request, CancellationToken cancellationToken);

    [Get(VgacRoutes.PredictStats)]
    Task<PredictionServiceStats> GetPredictionStatsAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.PredictClusterState)]
    Task<PredictorClusterState> GetPredictorClusterStateAsync(CancellationToken cancellationToken);

    [Post(VgacRoutes.PredictWebhook)]
    Task<AdmissionReview> ReviewAdmissionAsync([Body] AdmissionReview review, CancellationToken cancellationToken);

    [Get(VgacRoutes.PredictHealth)]
    Task<PredictionHealth> GetPredictionHealthAsync(CancellationToken cancellationToken);

    // Jobs router.
    [Get(VgacRoutes.JobsQueue)]
    Task<JobQueueSnapshot> GetJobQueueAsync([AliasAs("limit")] int? limit, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsPending)]
    Task<JobList> GetPendingJobsAsync([AliasAs("limit")] int? limit, [AliasAs("namespace")] string? jobNamespace, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsRunning)]
    Task<JobList> GetRunningJobsAsync([AliasAs("limit")] int? limit, [AliasAs("namespace")] string? jobNamespace, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsHistory)]
    Task<JobList> GetJobHistoryAsync(
        [AliasAs("limit")] int? limit,
        [AliasAs("namespace")] string? jobNamespace,
        [AliasAs("state")] string? state,
        [AliasAs("since")] string? since,
        CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsHistoryStats)]
    Task<JobHistoryStats> GetJobHistoryStatsAsync([AliasAs("window_hours")] double? windowHours, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsHistoryFailures)]
    Task<FailureAnalysis> GetFailureAnalysisAsync([AliasAs("window_hours")] double? windowHours, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobById)]
    Task<JobInfo> GetJobAsync([AliasAs("job_id")] string jobId, CancellationToken cancellationToken);

    [Post(VgacRoutes.JobsPredict)]
    Task<WaitPrediction> PredictJobAsync([Body] JobPredictRequest request, CancellationToken cancellationToken);

    [Post(VgacRoutes.JobsPredictBatch)]
    Task<JobBatchPredictResponse> PredictJobBatchAsync([Body] JobBatchPredictRequest request, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsPredictBatch)]
    Task<JobBatchPredictResponse> PredictPendingJobsAsync([AliasAs("limit")] int? limit, CancellationToken cancellationToken);

    [Get(VgacRoutes.JobsPredictCalibration)]
    Task<CalibrationMetrics> GetCalibrationAsync(CancellationToken cancellationToken);

    // Cluster router.
    [Get(VgacRoutes.ClusterSummary)]
    Task<ClusterSummary> GetClusterSummaryAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterSummaryQuick)]
    Task<QuickClusterSummary> GetQuickClusterSummaryAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterBifurcation)]
    Task<BifurcationAnalysis> GetBifurcationAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterNodes)]
    Task<NodeList> GetNodesAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterSlurmStatus)]
    Task<SlurmStatus> GetSlurmStatusAsync(CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterSlurmQueue)]
    Task<SlurmQueue> GetSlurmQueueAsync([AliasAs("limit")] int? limit, CancellationToken cancellationToken);

    [Get(VgacRoutes.ClusterCapacityForecast)]
    Task<CapacityForecast> GetCapacityForecastAsync([AliasAs("horizon_hours")] double? horizonHours, CancellationToken cancellationToken);
}
