using System.Globalization;

namespace Vgac.Copilot.Testing;

/// <summary>
/// A VGAC with one pending job whose numbers the test sets and may change between cycles (over real loopback
/// HTTP). <see cref="Failing"/> paths answer 503, as an outage of that endpoint; <see cref="Latency"/> slows every
/// answer; <see cref="RotateJobs"/> makes each batch prediction about a new job (job-1, job-2, ...).
/// </summary>
public sealed class ScriptedVgac
{
    public double Probability { get; set; } = 0.6;

    /// <summary>The pending job's id (a Slurm test gives a real Slurm job's number).</summary>
    public string JobId { get; set; } = "job-1";

    public double Confidence { get; set; } = 0.9;

    public double Ece { get; set; } = 0.02;

    public string JobState { get; set; } = "pending";

    /// <summary>The pending job's namespace, as VGAC reports it (JSON-escaped here, otherwise sent as set).</summary>
    public string Namespace { get; set; } = "ml";

    /// <summary>The cluster's scheduler: <c>kubernetes</c> or <c>slurm</c>.</summary>
    public string Scheduler { get; set; } = "kubernetes";

    /// <summary>Why the pending job waits, as the queue reports it (JSON-escaped here, otherwise sent as set).</summary>
    public string Reason { get; set; } = "Insufficient GPUs";

    /// <summary>GPUs the pending job asks for (the cluster has one node of 8).</summary>
    public int JobGpus { get; set; } = 4;

    /// <summary>VGAC's recommendation text on job predictions (JSON-escaped here, otherwise sent as set).</summary>
    public string Recommendation { get; set; } = "Consider lower priority queue";

    public HashSet<string> Failing { get; } = new(StringComparer.Ordinal);

    public TimeSpan? Latency { get; set; }

    public bool RotateJobs { get; set; }

    /// <summary>
    /// How many finished jobs the history holds, each predicted at 4000 s with <see cref="Probability"/> at submit and
    /// started after between 0.5 and 1.5 times that (none by default: no wait interval can be calibrated).
    /// </summary>
    public int FinishedJobs { get; set; }

    /// <summary>
    /// Whether the history's outcomes bear its predictions out (that share of its jobs waited long, the others
    /// started within 5 min); by default every one waited long, which an audit reads as heavy drift.
    /// </summary>
    public bool CalibratedHistory { get; set; }

    private int _batches;

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    public Task<LoopbackServer> StartAsync(CancellationToken cancellationToken) => LoopbackServer.StartAsync(Answer, cancellationToken);

    private ScriptedResponse Answer(RecordedRequest r) => Latency is { } latency ? Scripted(r) with { Delay = latency } : Scripted(r);

    private ScriptedResponse Scripted(RecordedRequest r)
    {
        if (Failing.Contains(r.Path))
        {
            return new ScriptedResponse(503, """{"detail":"down for maintenance"}""");
        }

        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var (p, c, e) = (Probability, Confidence, Ece);
        if (r.Path == "/api/jobs/predict/batch")
        {
            var batch = RotateJobs ? Interlocked.Increment(ref _batches) : 1;
            return ScriptedResponse.Json(I($$"""{"predictions":[{"job_id":"{{(RotateJobs ? $"job-{batch}" : JobId)}}","predicted_wait_seconds":4000,"predicted_probability_long_wait":{{p}},"confidence":{{c}},"is_calibrated":true,"model_version":"v3","top_factors":[]}],"count":1}"""));
        }

        if (r.Path.StartsWith("/api/jobs/job-", StringComparison.Ordinal) || r.Path == $"/api/jobs/{JobId}")
        {
            var id = r.Path["/api/jobs/".Length..];
            return ScriptedResponse.Json(I($$"""{"job_id":"{{id}}","namespace":{{Quote(Namespace)}},"state":"{{JobState}}","gpus":{{JobGpus}},"cpu":8000,"memory_gb":64,"priority":0,"submit_time":"2026-01-12T13:58:00Z"{{(JobState == "pending" ? "" : ",\"wait_seconds\":1500,\"long_wait\":true")}}}"""));
        }

        return r.Path switch
        {
            "/api/cluster/summary" => ScriptedResponse.Json(I($$"""{"cluster_id":"c","scheduler_type":"{{Scheduler}}","total_nodes":1,"ready_nodes":1,"total_gpus":8,"available_gpus":0,"gpu_utilization":1,"pending_jobs":1,"running_jobs":2,"queue_depth":1}""")),
            "/api/cluster/nodes" => ScriptedResponse.Json("""{"nodes":[{"name":"n1","status":"ready","gpu_type":"A100","total_gpus":8,"allocated_gpus":8,"available_gpus":0}],"total":1}"""),
            "/api/jobs/queue" => ScriptedResponse.Json(I($$"""{"timestamp":"2026-01-12T14:00:00Z","queue_depth":1,"pending_jobs":1,"running_jobs":2,"oldest_pending_seconds":120,"jobs":[{"job_id":"{{JobId}}","namespace":"ml","state":"pending","gpus":{{JobGpus}},"submit_time":"2026-01-12T13:58:00Z","reason":{{Quote(Reason)}}}]}""")),
            "/api/predict/cluster-state" => ScriptedResponse.Json("""{"total_gpus":8,"available_gpus":0,"pending_jobs":1,"pending_gpu_jobs":1,"running_jobs":2,"gpu_utilization":1,"pending_ratio":0.33,"bifurcation_ratio":0.2,"avg_wait_last_hour":60,"p95_wait_last_hour":300}"""),
            "/api/jobs/history/stats" => ScriptedResponse.Json("""{"window_hours":24,"total_jobs":100,"succeeded":90,"failed":8,"cancelled":2,"avg_wait_seconds":60,"p50_wait_seconds":5,"p90_wait_seconds":200,"p95_wait_seconds":400,"long_wait_threshold_seconds":600,"long_wait_rate":0.05}"""),
            "/api/cluster/bifurcation" => ScriptedResponse.Json("""{"bifurcation_ratio":0.2,"is_bifurcated":false,"fast_start_fraction":0.8,"long_wait_fraction":0.05,"long_wait_threshold_seconds":600,"sample_count":100}"""),
            "/api/jobs/history" => ScriptedResponse.Json(History()),
            "/api/jobs/running" => ScriptedResponse.Json("""{"jobs":[],"total":0}"""),
            "/api/jobs/predict/calibration" => ScriptedResponse.Json(I($$"""{"ece":{{e}},"brier_score":0.1,"sample_count":900,"recalibration_needed":false}""")),
            "/api/predict/wait" => ScriptedResponse.Json(I($$"""{"probability_long_wait":{{p}},"estimated_wait_seconds":4000,"wait_category":"long","confidence":{{c}},"is_calibrated":true,"latency_us":120,"model_version":"v3"}""")),
            "/api/jobs/predict" => ScriptedResponse.Json(I($$"""{"job_id":"{{JobId}}","predicted_wait_seconds":4000,"predicted_probability_long_wait":{{p}},"confidence":{{c}},"is_calibrated":true,"model_version":"v3","top_factors":[],"recommendation":{{Quote(Recommendation)}}}""")),
            _ => new ScriptedResponse(404, """{"detail":"Not Found"}"""),
        };
    }

    private string History()
    {
        var jobs = Enumerable.Range(0, FinishedJobs).Select(i =>
        {
            var waitedLong = !CalibratedHistory || i % 5 < Probability * 5;
            var wait = waitedLong ? 4000 * (0.5 + (double)i / Math.Max(1, FinishedJobs)) : 300;
            return string.Create(CultureInfo.InvariantCulture,
                $$$"""{"job_id":"done-{{{i}}}","namespace":"ml","state":"succeeded","gpus":4,"cpu":8000,"memory_gb":64,"priority":0,"submit_time":"2026-01-12T{{{i / 60 % 24:00}}}:{{{i % 60:00}}}:00Z","start_time":"2026-01-12T13:00:00Z","wait_seconds":{{{wait}}},"long_wait":{{{(waitedLong ? "true" : "false")}}},"prediction_at_submit":{"probability_long_wait":{{{Probability}}},"confidence":0.9,"estimated_wait_seconds":4000,"is_calibrated":true}}""");
        });
        return $$"""{"jobs":[{{string.Join(',', jobs)}}],"total":{{FinishedJobs}}}""";
    }
}
