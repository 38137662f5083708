using System.Text.Json;
using System.Text.Json.Nodes;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Evals.Cassettes;

/// <summary>
/// Records a whole-API snapshot through the production client: every read endpoint, details of the jobs listed,
/// VGAC's prediction for each pending job, and predictions for a grid of job specs. No API key is written.
/// </summary>
public sealed class CassetteRecorder
{
    private readonly IVgacClient vgac;
    private readonly IVgacPredictionClient predictions;

    internal CassetteRecorder(IVgacClient vgac, IVgacPredictionClient predictions) => (this.vgac, this.predictions) = (vgac, predictions);

    /// <summary>A recorder over the production client registered in <paramref name="services"/> (raw answers, as VGAC gave them).</summary>
    public static CassetteRecorder Create(IServiceProvider services) => new(
        (IVgacClient)services.GetService(typeof(IVgacClient))!, (IVgacPredictionClient)services.GetService(typeof(IVgacPredictionClient))!);

    public static IReadOnlyList<JobSpec> Grid { get; } =
        [.. from gpus in new[] { 0, 1, 2, 4, 8 }
            from priority in new[] { 0, 5, 10 }
            from gpuType in new string?[] { null, "A100" }
            select new JobSpec { Gpus = gpus, Priority = priority, GpuType = gpuType, Cpu = Math.Max(1, gpus) * 8000, MemoryGb = Math.Max(1, gpus) * 32 }];

    public async Task<CassetteManifest> RecordAsync(string folder, string name, string source, CancellationToken cancellationToken)
    {
        var endpoints = new Dictionary<string, RecordedBody>(StringComparer.Ordinal);
        async Task<T?> Read<T>(VgacEndpoint endpoint, Func<CancellationToken, Task<T>> call, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
        {
            try
            {
                var value = await call(cancellationToken).ConfigureAwait(false);
                endpoints[endpoint.ToString()] = new RecordedBody(200, JsonSerializer.SerializeToNode(value, type)!);
                return value;
            }
            catch (VgacApiException ex) when (ex.StatusCode is { } status)
            {
                endpoints[endpoint.ToString()] = new RecordedBody((int)status, new JsonObject { ["detail"] = ex.Detail ?? ex.Message });
                return null;
            }
        }

        var json = VgacJsonContext.Default;
        var health = await Read(VgacEndpoints.PredictHealth, vgac.GetPredictionHealthAsync, json.PredictionHealth).ConfigureAwait(false);
        await Read(VgacEndpoints.PredictStats, vgac.GetPredictionStatsAsync, json.PredictionServiceStats).ConfigureAwait(false);
        await Read(VgacEndpoints.PredictClusterState, vgac.GetPredictorClusterStateAsync, json.PredictorClusterState).ConfigureAwait(false);
        var queue = await Read(VgacEndpoints.JobsQueue, ct => vgac.GetJobQueueAsync(100, ct), json.JobQueueSnapshot).ConfigureAwait(false);
        await Read(VgacEndpoints.JobsPending, ct => vgac.GetPendingJobsAsync(100, null, ct), json.JobList).ConfigureAwait(false);
        var running = await Read(VgacEndpoints.JobsRunning, ct => vgac.GetRunningJobsAsync(100, null, ct), json.JobList).ConfigureAwait(false);
        var history = await Read(VgacEndpoints.JobsHistory, ct => vgac.GetJobHistoryAsync(new JobHistoryQuery(Limit: 300), ct), json.JobList).ConfigureAwait(false);
        await Read(VgacEndpoints.JobsHistoryStats, ct => vgac.GetJobHistoryStatsAsync(null, ct), json.JobHistoryStats).ConfigureAwait(false);
        await Read(VgacEndpoints.JobsHistoryFailures, ct => vgac.GetFailureAnalysisAsync(null, ct), json.FailureAnalysis).ConfigureAwait(false);
        await Read(VgacEndpoints.JobsPredictCalibration, vgac.GetCalibrationAsync, json.CalibrationMetrics).ConfigureAwait(false);
        var pending = await Read(VgacEndpoints.JobsPredictPending, ct => predictions.PredictPendingJobsAsync(100, ct), json.JobBatchPredictResponse).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterSummary, vgac.GetClusterSummaryAsync, json.ClusterSummary).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterSummaryQuick, vgac.GetQuickClusterSummaryAsync, json.QuickClusterSummary).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterBifurcation, vgac.GetBifurcationAsync, json.BifurcationAnalysis).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterNodes, vgac.GetNodesAsync, json.NodeList).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterSlurmStatus, vgac.GetSlurmStatusAsync, json.SlurmStatus).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterSlurmQueue, ct => vgac.GetSlurmQueueAsync(100, ct), json.SlurmQueue).ConfigureAwait(false);
        await Read(VgacEndpoints.ClusterCapacityForecast, ct => vgac.GetCapacityForecastAsync(12, ct), json.CapacityForecast).ConfigureAwait(false);

        var ids = (queue?.Jobs ?? []).Concat(running?.Jobs ?? []).Concat((history?.Jobs ?? []).Take(60)).Select(j => j.JobId).Distinct();
        var jobs = await JobsAsync(ids, cancellationToken).ConfigureAwait(false);
        var grid = await GridAsync(cancellationToken).ConfigureAwait(false);
        var byJob = (pending?.Predictions ?? []).ToDictionary(p => p.JobId, p => JsonSerializer.SerializeToNode(p, json.WaitPrediction)!, StringComparer.Ordinal);
        var manifest = new CassetteManifest
        {
            Name = name,
            RecordedAt = DateTimeOffset.UtcNow,
            Source = source,
            VgacVersion = health?.Version ?? health?.ModelVersion,
        };
        Cassette.Write(folder, manifest, endpoints, jobs, grid, byJob);
        return manifest;
    }

    /// <summary>Each job's own record, for the jobs the queue, the running list and the recent history name.</summary>
    private async Task<Dictionary<string, JsonNode>> JobsAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var jobs = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            jobs[id] = JsonSerializer.SerializeToNode(await vgac.GetJobAsync(id, cancellationToken).ConfigureAwait(false), VgacJsonContext.Default.JobInfo)!;
        }

        return jobs;
    }

    /// <summary>Predictions for the grid of job specs questions ask about; none from a VGAC without a fitted model (predictions then fail loudly on replay).</summary>
    private async Task<List<(JobSpec, JsonNode)>> GridAsync(CancellationToken cancellationToken)
    {
        try
        {
            var batch = await predictions.PredictBatchAsync(Grid, cancellationToken).ConfigureAwait(false);
            return [.. Grid.Zip(batch.Predictions, (spec, p) => (spec, JsonSerializer.SerializeToNode(p, VgacJsonContext.Default.PredictionResult)!))];
        }
        catch (VgacApiException)
        {
            return [];
        }
    }
}
