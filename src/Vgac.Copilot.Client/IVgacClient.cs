using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client;

/// <summary>
/// Typed access to every VGAC endpoint except the five that predict (those are <see cref="IVgacPredictionClient"/>,
/// which only the guarded prediction service in Core can reach: no other layer can show or act on an unguarded number). Failures surface only as <see cref="VgacApiException"/> and its
/// subclasses (<see cref="VgacTimeoutException"/>, <see cref="VgacUnavailableException"/>,
/// <see cref="VgacInvalidResponseException"/>), or as <see cref="OperationCanceledException"/> when the caller cancels.
/// </summary>
public interface IVgacClient
{
    /// <summary>Base URL in use (never includes credentials).</summary>
    Uri BaseAddress { get; }

    Task<PredictionServiceStats> GetPredictionStatsAsync(CancellationToken cancellationToken = default);

    Task<PredictorClusterState> GetPredictorClusterStateAsync(CancellationToken cancellationToken = default);

    Task<AdmissionReview> ReviewAdmissionAsync(AdmissionReview review, CancellationToken cancellationToken = default);

    Task<PredictionHealth> GetPredictionHealthAsync(CancellationToken cancellationToken = default);

    Task<JobQueueSnapshot> GetJobQueueAsync(int? limit = null, CancellationToken cancellationToken = default);

    Task<JobList> GetPendingJobsAsync(int? limit = null, string? jobNamespace = null, CancellationToken cancellationToken = default);

    Task<JobList> GetRunningJobsAsync(int? limit = null, string? jobNamespace = null, CancellationToken cancellationToken = default);

    Task<JobList> GetJobHistoryAsync(JobHistoryQuery? query = null, CancellationToken cancellationToken = default);

    Task<JobHistoryStats> GetJobHistoryStatsAsync(double? windowHours = null, CancellationToken cancellationToken = default);

    Task<FailureAnalysis> GetFailureAnalysisAsync(double? windowHours = null, CancellationToken cancellationToken = default);

    Task<JobInfo> GetJobAsync(string jobId, CancellationToken cancellationToken = default);

    Task<CalibrationMetrics> GetCalibrationAsync(CancellationToken cancellationToken = default);

    Task<ClusterSummary> GetClusterSummaryAsync(CancellationToken cancellationToken = default);

    Task<QuickClusterSummary> GetQuickClusterSummaryAsync(CancellationToken cancellationToken = default);

    Task<BifurcationAnalysis> GetBifurcationAsync(CancellationToken cancellationToken = default);

    Task<NodeList> GetNodesAsync(CancellationToken cancellationToken = default);

    Task<SlurmStatus> GetSlurmStatusAsync(CancellationToken cancellationToken = default);

    Task<SlurmQueue> GetSlurmQueueAsync(int? limit = null, CancellationToken cancellationToken = default);

    Task<CapacityForecast> GetCapacityForecastAsync(double? horizonHours = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// The raw prediction endpoints. Internal: only <c>Vgac.Copilot.Core</c>'s <c>GuardedPredictor</c> (which puts every
/// number through the guards), the cassette recorder (which stores raw answers) and tests can see it.
/// </summary>
internal interface IVgacPredictionClient
{
    Task<PredictionResult> PredictWaitAsync(JobSpec spec, CancellationToken cancellationToken = default);

    Task<BatchPredictResponse> PredictBatchAsync(IReadOnlyList<JobSpec> specs, CancellationToken cancellationToken = default);

    Task<WaitPrediction> PredictJobAsync(JobPredictRequest request, CancellationToken cancellationToken = default);

    Task<JobBatchPredictResponse> PredictJobBatchAsync(IReadOnlyList<JobPredictRequest> requests, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/jobs/predict/batch</c>: predictions for the jobs pending now.</summary>
    Task<JobBatchPredictResponse> PredictPendingJobsAsync(int? limit = null, CancellationToken cancellationToken = default);
}

/// <summary>Filters for <c>GET /api/jobs/history</c>.</summary>
public sealed record JobHistoryQuery(int? Limit = null, string? Namespace = null, JobState? State = null, DateTimeOffset? Since = null);
