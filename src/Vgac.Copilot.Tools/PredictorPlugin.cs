using System.ComponentModel;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Jobs;
using Docs = Vgac.Copilot.Core.Jobs.JobSpecInput.Docs;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools;

/// <summary>Predictor: how long a job would wait, always with its confidence and the guards' verdict.</summary>
public sealed class PredictorPlugin(IVgacClient vgac, GuardedPredictor predictor)
{
    [VgacTool(ToolNames.PredictorPredictWait, Title = "Predict queue wait")]
    [Description("P(long wait) for a job submitted now, with confidence, gate and allowed actions.")]
    public async Task<PredictionBrief> PredictWaitAsync(
        [Description(Docs.Gpus)] int gpus,
        [Description(Docs.CpuMillicores)] double cpu_millicores = 1000,
        [Description(Docs.MemoryGb)] double memory_gb = 1,
        [Description(Docs.Priority)] int priority = 0,
        [Description(Docs.Namespace)] string? @namespace = null,
        [Description(Docs.Queue)] string? queue = null,
        [Description(Docs.GpuType)] string? gpu_type = null,
        [Description(Docs.Distributed)] bool distributed = false,
        [Description(Docs.DurationMinutes)] int? duration_minutes = null,
        CancellationToken cancellationToken = default)
    {
        var spec = ToolArgs.Spec(gpus, cpu_millicores, memory_gb, priority, @namespace, queue, gpu_type, distributed, duration_minutes);
        return PredictionBrief.From(await predictor.PredictAsync(spec, cancellationToken).ConfigureAwait(false));
    }

    [VgacTool(ToolNames.PredictorWhatIf, Title = "What-if comparison")]
    [Description("Compare variants of one job in one call, varying one field.")]
    public async Task<PredictionListResult> WhatIfAsync(
        [Description("Field to vary, e.g. gpus, priority, gpu_type.")] string vary,
        [Description("Comma-separated values, e.g. 1,2,4,8.")] string values,
        [Description("Base job GPUs.")] int gpus = 1,
        [Description("Base job priority.")] int priority = 0,
        [Description("Base job namespace.")] string? @namespace = null,
        [Description("Base job GPU type.")] string? gpu_type = null,
        [Description("Base job memory, GB.")] double memory_gb = 1,
        CancellationToken cancellationToken = default)
    {
        var baseSpec = ToolArgs.Spec(gpus, 1000, memory_gb, priority, @namespace, null, gpu_type, false, null);
        var items = values.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length is 0 or > 16)
        {
            throw new ToolInputException($"values must list 1 to 16 comma-separated values, got {items.Length}.");
        }

        var specs = items.Select(v => Vary(baseSpec, vary, v)).ToList();
        var results = await predictor.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
        var briefs = results.Select(r => PredictionBrief.From(r, ToolArgs.Describe(r.Spec))).ToList();
        return new PredictionListResult(briefs, Math.Round(results[0].RoundTripMs, 1))
        {
            Comparison = WhatIfComparison.Of(vary.Trim().ToLowerInvariant(), [.. items.Zip(briefs)]),
        };
    }

    [VgacTool(ToolNames.PredictorPredictBatch, Title = "Predict several jobs")]
    [Description("Predict waits for several job specs in one call (fields as predictor_predict_wait).")]
    public async Task<PredictionListResult> PredictBatchAsync(
        [Description("Job specs.")] IReadOnlyList<JobSpecInput> jobs,
        CancellationToken cancellationToken = default)
    {
        if (jobs is null || jobs.Count is 0 or > 50)
        {
            throw new ToolInputException($"jobs must hold 1 to 50 job specs, got {jobs?.Count ?? 0}.");
        }

        var specs = jobs.Select((job, i) => JobSpecSchema.Checked(job, $"jobs[{i}]").ToContract()).ToList();
        var results = await predictor.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
        return new PredictionListResult([.. results.Select(r => PredictionBrief.From(r, ToolArgs.Describe(r.Spec)))], Math.Round(results[0].RoundTripMs, 1));
    }

    [VgacTool(ToolNames.PredictorPendingJobs, Title = "Predict pending jobs")]
    [Description("Predictions for the jobs waiting now, in queue order, each with its guard verdict.")]
    public async Task<PredictionListResult> PendingJobsAsync([Description("Max rows (1-100).")] int limit = 10, CancellationToken cancellationToken = default)
    {
        ToolArgs.Limit(limit);
        var predictions = await predictor.PredictPendingAsync(limit, cancellationToken).ConfigureAwait(false);
        return List(predictions);
    }

    [VgacTool(ToolNames.PredictorPredictJobs, Title = "Predict named jobs")]
    [Description("Predictions for queued jobs by id.")]
    public async Task<PredictionListResult> PredictJobsAsync([Description("Job ids, comma-separated.")] string job_ids, CancellationToken cancellationToken = default)
    {
        var ids = job_ids.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        if (ids.Count is 0 or > 20)
        {
            throw new ToolInputException($"job_ids must list 1 to 20 ids, got {ids.Count}.");
        }

        var jobs = await Task.WhenAll(ids.Select(id => vgac.GetJobAsync(ToolArgs.JobId(id), cancellationToken))).ConfigureAwait(false);
        var predictions = await predictor.PredictJobsAsync([.. jobs.Select(JobRequests.For)], cancellationToken).ConfigureAwait(false);
        return List(predictions);
    }

    [VgacTool(ToolNames.PredictorClusterState, Title = "Predictor's view of the cluster")]
    [Description("The queue features the model uses: pending ratio, waits in the last hour, bifurcation.")]
    public async Task<PredictorStateResult> ClusterStateAsync(CancellationToken cancellationToken = default)
    {
        var s = await vgac.GetPredictorClusterStateAsync(cancellationToken).ConfigureAwait(false);
        return new PredictorStateResult(s.TotalGpus, s.AvailableGpus, s.PendingJobs, s.PendingGpuJobs, s.RunningJobs, Math.Round(s.GpuUtilization, 3),
            Math.Round(s.PendingRatio, 3), Math.Round(s.BifurcationRatio, 3), Math.Round(s.AvgWaitLastHour), Math.Round(s.P95WaitLastHour));
    }

    [VgacTool(ToolNames.PredictorServiceStats, Title = "Prediction service health")]
    [Description("Is the prediction service healthy: model loaded, version, prediction count, latency.")]
    public async Task<ServiceStatsResult> ServiceStatsAsync(CancellationToken cancellationToken = default)
    {
        var healthTask = vgac.GetPredictionHealthAsync(cancellationToken);
        var stats = await vgac.GetPredictionStatsAsync(cancellationToken).ConfigureAwait(false);
        var health = await healthTask.ConfigureAwait(false);
        return new ServiceStatsResult(health.Status, health.ModelLoaded, stats.ModelVersion, stats.TotalPredictions, Math.Round(stats.AvgLatencyUs, 1), stats.P99LatencyUs, stats.IsCalibrated);
    }

    private static PredictionListResult List(IReadOnlyList<GuardedJobPrediction> predictions) => new(
        [.. predictions.Select(p => PredictionBrief.From(p, new Dictionary<string, object> { ["job_id"] = p.JobId }))],
        predictions.Count == 0 ? 0 : Math.Round(predictions[0].RoundTripMs, 1));

    private static JobSpec Vary(JobSpec spec, string field, string value)
    {
        var where = $"{field}={value}";
        var varied = JobSpecSchema.With(JobSpecInput.From(spec), JobSpecSchema.Get(field.Trim(), "vary"), value, where);
        return JobSpecSchema.Checked(varied, where).ToContract();
    }
}
