using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>Every endpoint of the VGAC contract, answered from the simulation (<c>seed/vgac-context.md</c>).</summary>
internal static class SimulatorApi
{
    private static readonly VgacJsonContext Json = VgacJsonContext.Default;

    // Async handlers take HttpRequest, not HttpContext: a (HttpContext) => Task lambda is a RequestDelegate, and
    // the IResult it returns would be silently dropped.
    public static void MapVgacApi(this IEndpointRouteBuilder app, Simulation sim)
    {
        // Prediction router.
        app.MapPost(VgacRoutes.PredictWait, async (HttpRequest http) =>
            await WithBody(http, Json.JobSpec, spec => Validate(spec) ?? Model(sim.Read(s => PredictionViews.Wait(s, spec)), Json.PredictionResult)));
        app.MapPost(VgacRoutes.PredictBatch, async (HttpRequest http) =>
            await WithBody(http, Json.BatchPredictRequest, body => body.Jobs.Select(Validate).FirstOrDefault(e => e is not null) ?? sim.Read(s =>
            {
                var results = body.Jobs.Select(spec => PredictionViews.Wait(s, spec)).ToList();
                return results.Any(r => r is null)
                    ? ModelNotReady()
                    : Results.Json(new BatchPredictResponse { Predictions = results!, Count = results.Count, TotalLatencyUs = results.Sum(r => r!.LatencyUs) }, Json.BatchPredictResponse);
            })));
        app.MapGet(VgacRoutes.PredictStats, () => Results.Json(sim.Read(PredictionViews.Stats), Json.PredictionServiceStats));
        app.MapGet(VgacRoutes.PredictClusterState, () => Results.Json(sim.Read(ClusterViews.PredictorState), Json.PredictorClusterState));
        app.MapPost(VgacRoutes.PredictWebhook, async (HttpRequest http) =>
            await WithBody(http, Json.AdmissionReview, review => review.Request is null
                ? Invalid(["body", "request"], "field required")
                : Results.Json(sim.Read(s => PredictionViews.Admission(s, review)), Json.AdmissionReview)));
        app.MapGet(VgacRoutes.PredictHealth, () => Results.Json(sim.Read(PredictionViews.Health), Json.PredictionHealth));

        // Jobs router. Literal routes are registered before the {job_id} template, which also loses on precedence.
        app.MapGet(VgacRoutes.JobsQueue, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => JobViews.Queue(s, q.Int("limit"))), Json.JobQueueSnapshot)));
        app.MapGet(VgacRoutes.JobsPending, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => JobViews.Pending(s, q.Int("limit"), q.Text("namespace"))), Json.JobList)));
        app.MapGet(VgacRoutes.JobsRunning, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => JobViews.Running(s, q.Int("limit"), q.Text("namespace"))), Json.JobList)));
        app.MapGet(VgacRoutes.JobsHistory, (HttpContext http) => Query(http, q =>
            Results.Json(sim.Read(s => JobViews.History(s, q.Int("limit"), q.Text("namespace"), q.State("state"), q.Time("since"))), Json.JobList)));
        app.MapGet(VgacRoutes.JobsHistoryStats, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => JobViews.Stats(s, q.Double("window_hours"))), Json.JobHistoryStats)));
        app.MapGet(VgacRoutes.JobsHistoryFailures, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => JobViews.Failures(s, q.Double("window_hours"))), Json.FailureAnalysis)));
        app.MapPost(VgacRoutes.JobsPredict, async (HttpRequest http) =>
            await WithBody(http, Json.JobPredictRequest, request => Validate(request) ?? Model(sim.Read(s => PredictionViews.Job(s, request)), Json.WaitPrediction)));
        app.MapPost(VgacRoutes.JobsPredictBatch, async (HttpRequest http) =>
            await WithBody(http, Json.JobBatchPredictRequest, body => body.Jobs.Select(Validate).FirstOrDefault(e => e is not null) ?? sim.Read(s =>
            {
                var results = body.Jobs.Select(r => PredictionViews.Job(s, r)).ToList();
                return results.Any(r => r is null)
                    ? ModelNotReady()
                    : Results.Json(new JobBatchPredictResponse { Predictions = results!, Count = results.Count }, Json.JobBatchPredictResponse);
            })));
        app.MapGet(VgacRoutes.JobsPredictBatch, (HttpContext http) => Query(http, q => Model(sim.Read(s => PredictionViews.PendingJobs(s, q.Int("limit"))), Json.JobBatchPredictResponse)));
        app.MapGet(VgacRoutes.JobsPredictCalibration, () => Results.Json(sim.Read(PredictionViews.Calibration), Json.CalibrationMetrics));
        app.MapGet(VgacRoutes.JobById, (string job_id) => sim.Read(s =>
            s.Engine.ById.TryGetValue(job_id, out var job)
                ? Results.Json(JobViews.ToInfo(s, job, job.State == JobState.Pending ? JobViews.OrderedPending(s.Engine).IndexOf(job) + 1 : null), Json.JobInfo)
                : Detail(StatusCodes.Status404NotFound, $"Job '{job_id}' not found")));

        // Cluster router.
        app.MapGet(VgacRoutes.ClusterSummary, () => Results.Json(sim.Read(ClusterViews.Summary), Json.ClusterSummary));
        app.MapGet(VgacRoutes.ClusterSummaryQuick, () => Results.Json(sim.Read(ClusterViews.Quick), Json.QuickClusterSummary));
        app.MapGet(VgacRoutes.ClusterBifurcation, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => ClusterViews.Bifurcation(s, q.Double("window_hours") ?? 6)), Json.BifurcationAnalysis)));
        app.MapGet(VgacRoutes.ClusterNodes, () => Results.Json(sim.Read(ClusterViews.Nodes), Json.NodeList));
        app.MapGet(VgacRoutes.ClusterSlurmStatus, () => SlurmOnly(sim) ?? Results.Json(sim.Read(ClusterViews.SlurmStatus), Json.SlurmStatus));
        app.MapGet(VgacRoutes.ClusterSlurmQueue, (HttpContext http) => SlurmOnly(sim) ?? Query(http, q => Results.Json(sim.Read(s => ClusterViews.SlurmQueue(s, q.Int("limit"))), Json.SlurmQueue)));
        app.MapGet(VgacRoutes.ClusterCapacityForecast, (HttpContext http) => Query(http, q => Results.Json(sim.Read(s => ClusterViews.Capacity(s, q.Double("horizon_hours"))), Json.CapacityForecast)));
    }

    private static IResult? SlurmOnly(Simulation sim) => sim.Flavor == SchedulerType.Slurm
        ? null
        : Detail(StatusCodes.Status404NotFound, $"Slurm is not the scheduler of this cluster (scheduler_type={sim.Flavor.ToString().ToLowerInvariant()})");

    private static IResult Model<T>(T? value, JsonTypeInfo<T> type) where T : class => value is null ? ModelNotReady() : Results.Json(value, type);

    private static IResult ModelNotReady() => Detail(StatusCodes.Status503ServiceUnavailable, PredictionViews.ModelNotReady);

    internal static IResult Detail(int status, string detail) =>
        Results.Json(new VgacErrorBody { Detail = detail }, Json.VgacErrorBody, statusCode: status);

    internal static IResult Invalid(IReadOnlyList<string> location, string message) =>
        Results.Json(new ValidationError([new ValidationIssue(location, message, "value_error")]), VgacSimJson.Default.ValidationError, statusCode: StatusCodes.Status422UnprocessableEntity);

    private static IResult? Validate(JobSpec spec) => spec switch
    {
        { Gpus: < 0 or > 1024 } => Invalid(["body", "gpus"], "ensure this value is between 0 and 1024"),
        { Cpu: <= 0 } => Invalid(["body", "cpu"], "ensure this value is greater than 0"),
        { MemoryGb: <= 0 } => Invalid(["body", "memory_gb"], "ensure this value is greater than 0"),
        { Namespace: null or "" } => Invalid(["body", "namespace"], "field required"),
        { EstimatedDurationMinutes: < 0 } => Invalid(["body", "estimated_duration_minutes"], "ensure this value is greater than or equal to 0"),
        _ => null,
    };

    private static async Task<IResult> WithBody<T>(HttpRequest http, JsonTypeInfo<T> type, Func<T, IResult> handle) where T : class
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(http.Body, type, http.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Invalid(["body", ex.Path ?? "$"], ex.Message);
        }

        return body is null ? Invalid(["body"], "field required") : handle(body);
    }

    private static IResult Query(HttpContext http, Func<QueryReader, IResult> handle)
    {
        try
        {
            return handle(new QueryReader(http.Request.Query));
        }
        catch (FormatException ex)
        {
            return Invalid(["query", ex.Message.Split(':')[0]], ex.Message);
        }
    }

    /// <summary>Typed query parameters; a bad value becomes a 422 naming the parameter.</summary>
    private readonly struct QueryReader(IQueryCollection query)
    {
        public string? Text(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && v[0] is { Length: > 0 } s ? s : null;

        public int? Int(string name) => Text(name) is { } s
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : throw new FormatException($"{name}: expected a non-negative integer, got '{s}'")
            : null;

        public double? Double(string name) => Text(name) is { } s
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v : throw new FormatException($"{name}: expected a positive number, got '{s}'")
            : null;

        public DateTimeOffset? Time(string name) => Text(name) is { } s
            ? DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v : throw new FormatException($"{name}: expected an ISO-8601 time, got '{s}'")
            : null;

        public JobState? State(string name) => Text(name) is { } s
            ? Enum.TryParse<JobState>(s, ignoreCase: true, out var v) && !int.TryParse(s, out _) ? v : throw new FormatException($"{name}: expected pending, running, succeeded, failed, cancelled or unknown, got '{s}'")
            : null;
    }
}
