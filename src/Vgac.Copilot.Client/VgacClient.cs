using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client.Http;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client;

/// <summary>
/// <see cref="IVgacClient"/> over the Refit-generated <see cref="IVgacApi"/>: one line per endpoint, with every
/// failure translated once, in <see cref="VgacErrorTranslator"/>.
/// </summary>
internal sealed partial class VgacClient(IVgacApi api, IHttpClientFactory http, IOptions<VgacClientOptions> options, ILogger<VgacClient> logger) : IVgacClient, IVgacPredictionClient
{
    private readonly VgacErrorTranslator _errors = new(options.Value);
    private HttpClient? _http;
    private Uri? _predictWait;

    public Uri BaseAddress { get; } = new(options.Value.BaseUrl);

    public Task<PredictionResult> PredictWaitAsync(JobSpec spec, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictWait, ct => PostAsync(VgacEndpoints.PredictWait, spec, VgacJsonContext.Default.JobSpec, VgacJsonContext.Default.PredictionResult, ct), cancellationToken);

    public Task<BatchPredictResponse> PredictBatchAsync(IReadOnlyList<JobSpec> specs, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictBatch, ct => api.PredictBatchAsync(new BatchPredictRequest { Jobs = specs }, ct), cancellationToken);

    public Task<PredictionServiceStats> GetPredictionStatsAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictStats, api.GetPredictionStatsAsync, cancellationToken);

    public Task<PredictorClusterState> GetPredictorClusterStateAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictClusterState, api.GetPredictorClusterStateAsync, cancellationToken);

    public Task<AdmissionReview> ReviewAdmissionAsync(AdmissionReview review, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictWebhook, ct => api.ReviewAdmissionAsync(review, ct), cancellationToken);

    public Task<PredictionHealth> GetPredictionHealthAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.PredictHealth, api.GetPredictionHealthAsync, cancellationToken);

    public Task<JobQueueSnapshot> GetJobQueueAsync(int? limit = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsQueue, ct => api.GetJobQueueAsync(limit, ct), cancellationToken);

    public Task<JobList> GetPendingJobsAsync(int? limit = null, string? jobNamespace = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsPending, ct => api.GetPendingJobsAsync(limit, jobNamespace, ct), cancellationToken);

    public Task<JobList> GetRunningJobsAsync(int? limit = null, string? jobNamespace = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsRunning, ct => api.GetRunningJobsAsync(limit, jobNamespace, ct), cancellationToken);

    public Task<JobList> GetJobHistoryAsync(JobHistoryQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new JobHistoryQuery();
        var state = query.State?.ToString().ToLowerInvariant();
        var since = query.Since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        return CallAsync(VgacEndpoints.JobsHistory, ct => api.GetJobHistoryAsync(query.Limit, query.Namespace, state, since, ct), cancellationToken);
    }

    public Task<JobHistoryStats> GetJobHistoryStatsAsync(double? windowHours = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsHistoryStats, ct => api.GetJobHistoryStatsAsync(windowHours, ct), cancellationToken);

    public Task<FailureAnalysis> GetFailureAnalysisAsync(double? windowHours = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsHistoryFailures, ct => api.GetFailureAnalysisAsync(windowHours, ct), cancellationToken);

    public Task<JobInfo> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return CallAsync(VgacEndpoints.JobById, ct => api.GetJobAsync(jobId, ct), cancellationToken);
    }

    public Task<WaitPrediction> PredictJobAsync(JobPredictRequest request, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsPredict, ct => api.PredictJobAsync(request, ct), cancellationToken);

    public Task<JobBatchPredictResponse> PredictJobBatchAsync(IReadOnlyList<JobPredictRequest> requests, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsPredictBatch, ct => api.PredictJobBatchAsync(new JobBatchPredictRequest { Jobs = requests }, ct), cancellationToken);

    public Task<JobBatchPredictResponse> PredictPendingJobsAsync(int? limit = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsPredictPending, ct => api.PredictPendingJobsAsync(limit, ct), cancellationToken);

    public Task<CalibrationMetrics> GetCalibrationAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.JobsPredictCalibration, api.GetCalibrationAsync, cancellationToken);

    public Task<ClusterSummary> GetClusterSummaryAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterSummary, api.GetClusterSummaryAsync, cancellationToken);

    public Task<QuickClusterSummary> GetQuickClusterSummaryAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterSummaryQuick, api.GetQuickClusterSummaryAsync, cancellationToken);

    public Task<BifurcationAnalysis> GetBifurcationAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterBifurcation, api.GetBifurcationAsync, cancellationToken);

    public Task<NodeList> GetNodesAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterNodes, api.GetNodesAsync, cancellationToken);

    public Task<SlurmStatus> GetSlurmStatusAsync(CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterSlurmStatus, api.GetSlurmStatusAsync, cancellationToken);

    public Task<SlurmQueue> GetSlurmQueueAsync(int? limit = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterSlurmQueue, ct => api.GetSlurmQueueAsync(limit, ct), cancellationToken);

    public Task<CapacityForecast> GetCapacityForecastAsync(double? horizonHours = null, CancellationToken cancellationToken = default)
        => CallAsync(VgacEndpoints.ClusterCapacityForecast, ct => api.GetCapacityForecastAsync(horizonHours, ct), cancellationToken);

    /// <summary>A POST through the named client's handler pipeline, without Refit (the fast path).</summary>
    private async Task<TResponse> PostAsync<TRequest, TResponse>(
        VgacEndpoint endpoint, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        // The handler lifetime is infinite (connections recycle in the pool), so one HttpClient per VgacClient is safe.
        var client = _http ??= http.CreateClient(VgacClientServiceCollectionExtensions.HttpClientName);
        // Concatenated, as Refit does, so a base URL with a path prefix (https://host/vgac) keeps it.
        var uri = endpoint == VgacEndpoints.PredictWait
            ? _predictWait ??= new Uri(client.BaseAddress!.AbsoluteUri.TrimEnd('/') + endpoint.Route)
            : new Uri(client.BaseAddress!.AbsoluteUri.TrimEnd('/') + endpoint.Route);
        using var response = await client.PostAsJsonAsync(uri, body, requestType, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw _errors.FromStatus(endpoint, response.StatusCode, detail, location: response.Headers.Location);
        }

        return await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false)
            ?? throw new JsonException("The response body is empty.");
    }

    private async Task<T> CallAsync<T>(VgacEndpoint endpoint, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = CopilotTelemetry.Source.StartActivity(endpoint.SpanName, System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("http.request.method", endpoint.Method);
        activity?.SetTag("url.template", endpoint.Route);
        var outcome = "error";
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            outcome = "ok";
            LogCallSucceeded(endpoint.Method, endpoint.Route, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (Exception ex) when (_errors.Translate(endpoint, ex, cancellationToken) is { } translated)
        {
            outcome = translated switch
            {
                VgacTimeoutException => "timeout",
                VgacUnavailableException => "unavailable",
                _ => "error",
            };
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
            LogCallFailed(endpoint.Method, endpoint.Route, translated.GetType().Name, translated.Message);
            throw translated;
        }
        finally
        {
            var route = new KeyValuePair<string, object?>("vgac.endpoint", endpoint.Route);
            CopilotTelemetry.VgacCalls.Add(1, route, new("vgac.outcome", outcome));
            CopilotTelemetry.VgacDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, route);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "VGAC {Method} {Route} ok in {ElapsedMs:F1} ms")]
    private partial void LogCallSucceeded(string method, string route, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "VGAC {Method} {Route} failed: {ErrorType}: {Error}")]
    private partial void LogCallFailed(string method, string route, string errorType, string error);
}
