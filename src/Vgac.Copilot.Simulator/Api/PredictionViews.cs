using System.Globalization;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Engine;
using Vgac.Copilot.Simulator.Prediction;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>The prediction and calibration endpoints' responses.</summary>
internal static class PredictionViews
{
    private const string NotReady = "model not fitted yet: the simulation has too few finished jobs";

    public static PredictionResult? Wait(Simulation sim, JobSpec spec)
    {
        if (sim.Predictions.Predict(sim.Engine, spec.Gpus, spec.Priority) is not var (output, latency))
        {
            return null;
        }

        var (recommendation, policy) = PredictionService.Advise(output.Probability, output.Confidence);
        return new PredictionResult
        {
            ProbabilityLongWait = Math.Round(output.Probability, 4),
            EstimatedWaitSeconds = Math.Round(output.EstimatedWaitSeconds, 1),
            WaitCategory = PredictionService.Category(output.Probability),
            Confidence = Math.Round(output.Confidence, 4),
            IsCalibrated = IsCalibrated(sim),
            Recommendation = recommendation,
            LatencyUs = latency,
            Policy = policy,
            ModelVersion = sim.Predictions.Model!.Version,
        };
    }

    public static WaitPrediction? Job(Simulation sim, JobPredictRequest request)
    {
        if (sim.Predictions.Predict(sim.Engine, request.Gpus, request.Priority) is not var (output, _))
        {
            return null;
        }

        var (recommendation, policy) = PredictionService.Advise(output.Probability, output.Confidence);
        var ece = sim.Predictions.MeasureCalibration(sim.Engine)?.Ece;
        return new WaitPrediction
        {
            JobId = request.JobId ?? $"adhoc-{sim.Predictions.TotalPredictions}",
            PredictedWaitSeconds = Math.Round(output.EstimatedWaitSeconds, 1),
            PredictedProbabilityLongWait = Math.Round(output.Probability, 4),
            Confidence = Math.Round(output.Confidence, 4),
            IsCalibrated = IsCalibrated(sim),
            ModelVersion = sim.Predictions.Model!.Version,
            Ece = ece is { } v ? Math.Round(v, 4) : null,
            ExpectedWaitRange = output.WaitRange.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 1)),
            TopFactors =
            [
                new WaitFactor { Feature = "pending_ratio", Value = Math.Round(output.Features[0], 4), Contribution = Math.Round(output.Contributions[0], 4) },
                new WaitFactor { Feature = "pending_at_submit", Value = Math.Round(Math.Exp(output.Features[1]) - 1), Contribution = Math.Round(output.Contributions[1], 4) },
            ],
            Recommendation = recommendation,
            Policy = policy,
        };
    }

    /// <summary>Predictions for the jobs pending now, as their own ids and priorities.</summary>
    public static JobBatchPredictResponse? PendingJobs(Simulation sim, int? limit)
    {
        var predictions = new List<WaitPrediction>();
        foreach (var job in JobViews.OrderedPending(sim.Engine).Take(JobViews.Cap(limit, 50)))
        {
            if (Job(sim, AsRequest(job)) is not { } prediction)
            {
                return null;
            }

            predictions.Add(prediction);
        }

        return new JobBatchPredictResponse { Predictions = predictions, Count = predictions.Count };
    }

    public static CalibrationMetrics Calibration(Simulation sim)
    {
        var report = sim.Predictions.MeasureCalibration(sim.Engine);
        return new CalibrationMetrics
        {
            Ece = Math.Round(report?.Ece ?? 0, 4),
            BrierScore = Math.Round(report?.Brier ?? 0, 4),
            SampleCount = report?.N ?? 0,
            LastRecalibration = sim.Predictions.LastRefitAt is { } at ? sim.At(at) : null,
            RecalibrationNeeded = report is null || report.Ece > sim.Options.RecalibrationEceThreshold,
            Mce = report is null ? null : Math.Round(report.Mce, 4),
            ModelVersion = sim.Predictions.Model?.Version,
        };
    }

    public static PredictionServiceStats Stats(Simulation sim)
    {
        var latencies = sim.Predictions.RecentLatenciesUs.Order().ToArray();
        return new PredictionServiceStats
        {
            TotalPredictions = sim.Predictions.TotalPredictions,
            AvgLatencyUs = latencies.Length == 0 ? 0 : Math.Round(latencies.Average(), 1),
            P50LatencyUs = latencies.Length == 0 ? null : latencies[latencies.Length / 2],
            P99LatencyUs = latencies.Length == 0 ? null : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
            ModelVersion = sim.Predictions.Model?.Version ?? "none",
            IsCalibrated = IsCalibrated(sim),
            LastRefit = sim.Predictions.LastRefitAt is { } at ? sim.At(at) : null,
            ErrorCount = 0,
            UptimeSeconds = Math.Round((DateTimeOffset.UtcNow - sim.CreatedAt).TotalSeconds, 1),
        };
    }

    public static PredictionHealth Health(Simulation sim) => new()
    {
        Status = sim.Predictions.Model is null ? "degraded" : "healthy",
        ModelLoaded = sim.Predictions.Model is not null,
        ModelVersion = sim.Predictions.Model?.Version,
        Version = "vgac-sim/" + typeof(PredictionViews).Assembly.GetName().Version?.ToString(3),
        UptimeSeconds = Math.Round((DateTimeOffset.UtcNow - sim.CreatedAt).TotalSeconds, 1),
    };

    /// <summary>
    /// The admission webhook: reads the pod's GPU, CPU and memory requests, predicts, and allows the pod with a
    /// JSON patch that annotates it with the risk (<c>vgac.io/…</c>), plus a warning when a long wait is likely.
    /// </summary>
    public static AdmissionReview Admission(Simulation sim, AdmissionReview review)
    {
        var request = review.Request!;
        var spec = SpecOf(request);
        var prediction = Wait(sim, spec);
        if (prediction is null)
        {
            return Respond(request.Uid, true, [$"vgac: {NotReady}; pod admitted without a risk score"], null);
        }

        var annotations = new Dictionary<string, string>
        {
            ["vgac.io/probability-long-wait"] = prediction.ProbabilityLongWait.ToString("0.####", CultureInfo.InvariantCulture),
            ["vgac.io/confidence"] = prediction.Confidence.ToString("0.####", CultureInfo.InvariantCulture),
            ["vgac.io/wait-category"] = prediction.WaitCategory,
            ["vgac.io/model-version"] = prediction.ModelVersion ?? "unknown",
        };
        var hasAnnotations = request.Object.Metadata.Annotations is { Count: > 0 };
        var patch = new StringBuilder("[");
        if (!hasAnnotations)
        {
            patch.Append("""{"op":"add","path":"/metadata/annotations","value":{}},""");
        }

        patch.AppendJoin(',', annotations.Select(kv =>
            $$"""{"op":"add","path":"/metadata/annotations/{{kv.Key.Replace("/", "~1", StringComparison.Ordinal)}}","value":{{JsonSerializer.Serialize(kv.Value, VgacSimJson.Default.String)}}}"""));
        patch.Append(']');
        var warnings = prediction.ProbabilityLongWait > 0.7 && prediction.Confidence >= 0.6
            ? new[] { $"vgac: long wait likely (p={prediction.ProbabilityLongWait:0.00}, ~{prediction.EstimatedWaitSeconds / 60:0} min): {prediction.Recommendation}" }
            : null;
        return Respond(request.Uid, true, warnings, Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToString())));
    }

    private static AdmissionReview Respond(string uid, bool allowed, IReadOnlyList<string>? warnings, string? patch) => new()
    {
        Response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = allowed,
            Warnings = warnings,
            PatchType = patch is null ? null : "JSONPatch",
            Patch = patch,
        },
    };

    private static JobSpec SpecOf(AdmissionRequest request)
    {
        double gpus = 0, cpu = 0, memory = 0;
        foreach (var container in request.Object.Spec.Containers)
        {
            var limits = container.Resources.Limits ?? new Dictionary<string, string>();
            var requests = container.Resources.Requests ?? new Dictionary<string, string>();
            gpus += Quantity(limits.GetValueOrDefault("nvidia.com/gpu") ?? requests.GetValueOrDefault("nvidia.com/gpu"));
            cpu += Quantity(requests.GetValueOrDefault("cpu")) * 1000;
            memory += Quantity(requests.GetValueOrDefault("memory")) / (1024.0 * 1024 * 1024);
        }

        return new JobSpec
        {
            Gpus = (int)gpus,
            Cpu = cpu > 0 ? cpu : 1000,
            MemoryGb = memory > 0 ? memory : 1,
            Priority = request.Object.Spec.Priority ?? 0,
            Namespace = request.Namespace ?? request.Object.Metadata.Namespace ?? "default",
        };
    }

    /// <summary>Kubernetes quantities: <c>4</c>, <c>500m</c>, <c>16Gi</c>, <c>2G</c>.</summary>
    internal static double Quantity(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        (string Suffix, double Factor)[] units = [("Ki", 1024), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1L << 40), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("m", 1e-3)];
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var scaled))
            {
                return scaled * factor;
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) ? plain : 0;
    }

    private static JobPredictRequest AsRequest(SimJob job) => new()
    {
        JobId = job.Id,
        Gpus = job.Request.Gpus,
        Cpu = job.Request.Cpu,
        MemoryGb = job.Request.MemoryGb,
        Priority = job.Request.Priority,
        Namespace = job.Request.Namespace,
        Queue = job.Request.Queue,
        GpuType = job.Request.GpuType,
    };

    private static bool IsCalibrated(Simulation sim) =>
        sim.Predictions.Model is not null && sim.Predictions.MeasureCalibration(sim.Engine) is { } report && report.Ece <= sim.Options.RecalibrationEceThreshold;

    internal static string ModelNotReady => NotReady;
}
