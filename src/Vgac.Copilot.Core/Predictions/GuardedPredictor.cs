using System.Diagnostics;
using System.Net;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>
/// The one way to a prediction: each of VGAC's five prediction endpoints, then the guards with the calibration in
/// force. Nothing else in the product can reach the raw endpoints (<see cref="IVgacPredictionClient"/> is internal to
/// the client and this project), so no layer can show or act on a number the guards have not judged. No kernel, no
/// LLM, no prompt: the CLI's <c>vgac predict</c>, the plugins, the MCP tools and the watch loop all come through here.
/// </summary>
public sealed class GuardedPredictor
{
    private readonly IVgacPredictionClient _client;
    private readonly CalibrationProvider _calibration;
    private readonly GuardPolicy _guards;
    private readonly WaitIntervals _intervals;
    private readonly InventoryProvider _inventory;

    internal GuardedPredictor(IVgacPredictionClient client, CalibrationProvider calibration, GuardPolicy guards, WaitIntervals intervals, InventoryProvider inventory) =>
        (_client, _calibration, _guards, _intervals, _inventory) = (client, calibration, guards, intervals, inventory);

    /// <summary>
    /// Predicts for one spec. VGAC being down, slow or broken gives a fallback marked confidence 0, never an
    /// exception; VGAC rejecting the spec (4xx) is the caller's error and is thrown.
    /// </summary>
    public async Task<GuardedPrediction> PredictAsync(JobSpec spec, CancellationToken cancellationToken = default)
    {
        Require(spec);
        var started = Stopwatch.GetTimestamp();
        var calibrationTask = _calibration.GetAsync(cancellationToken);
        var historyTask = _intervals.GetAsync(cancellationToken);
        var inventoryTask = _inventory.GetAsync(cancellationToken);
        PredictionResult? result = null;
        string? error = null;
        try
        {
            result = await _client.PredictWaitAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException ex) when (!IsClientError(ex))
        {
            error = ex.Message;
        }

        var status = await calibrationTask.ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);
        var inventory = await inventoryTask.ConfigureAwait(false);
        return Guard(spec, result, error, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds, history, inventory);
    }

    /// <summary>Predicts for several specs in one batch call; on failure every spec gets a fallback.</summary>
    public async Task<IReadOnlyList<GuardedPrediction>> PredictBatchAsync(IReadOnlyList<JobSpec> specs, CancellationToken cancellationToken = default)
    {
        foreach (var spec in specs)
        {
            Require(spec);
        }

        var started = Stopwatch.GetTimestamp();
        var calibrationTask = _calibration.GetAsync(cancellationToken);
        var historyTask = _intervals.GetAsync(cancellationToken);
        var inventoryTask = _inventory.GetAsync(cancellationToken);
        IReadOnlyList<PredictionResult?> results;
        string? error = null;
        try
        {
            var batch = await _client.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
            CheckCount(batch.Predictions.Count, specs.Count, VgacEndpoints.PredictBatch);
            results = batch.Predictions;
        }
        catch (VgacApiException ex) when (!IsClientError(ex))
        {
            error = ex.Message;
            results = [.. specs.Select(_ => (PredictionResult?)null)];
        }

        var status = await calibrationTask.ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);
        var inventory = await inventoryTask.ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return [.. specs.Select((spec, i) => Guard(spec, results[i], error, status, elapsed, history, inventory))];
    }

    /// <summary>
    /// Predicts for a job VGAC knows (or a described one, <c>POST /api/jobs/predict</c>). VGAC failures are thrown:
    /// the callers (tools, the watch loop, action planning) have nothing to fall back to.
    /// </summary>
    /// <param name="request">The job.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="freshCalibration">Judge against calibration read now, bypassing the cache (a re-check before an action).</param>
    public async Task<GuardedJobPrediction> PredictJobAsync(JobPredictRequest request, CancellationToken cancellationToken = default, bool freshCalibration = false)
    {
        var started = Stopwatch.GetTimestamp();
        var calibrationTask = _calibration.GetAsync(cancellationToken, freshCalibration);
        var historyTask = _intervals.GetAsync(cancellationToken);
        var inventoryTask = _inventory.GetAsync(cancellationToken, freshCalibration);
        var prediction = await _client.PredictJobAsync(request, cancellationToken).ConfigureAwait(false);
        var status = await calibrationTask.ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);
        var feasibility = Feasibility.Judge(Judged(request), await inventoryTask.ConfigureAwait(false));
        return GuardJob(prediction, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds, (history, request.Gpus), feasibility);
    }

    /// <summary>Predicts for several jobs in one batch call (<c>POST /api/jobs/predict/batch</c>).</summary>
    public async Task<IReadOnlyList<GuardedJobPrediction>> PredictJobsAsync(IReadOnlyList<JobPredictRequest> requests, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var calibrationTask = _calibration.GetAsync(cancellationToken);
        var historyTask = _intervals.GetAsync(cancellationToken);
        var inventoryTask = _inventory.GetAsync(cancellationToken);
        var batch = await _client.PredictJobBatchAsync(requests, cancellationToken).ConfigureAwait(false);
        CheckCount(batch.Predictions.Count, requests.Count, VgacEndpoints.JobsPredictBatch);
        var status = await calibrationTask.ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);
        var inventory = await inventoryTask.ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return [.. batch.Predictions.Select((p, i) => GuardJob(p, status, elapsed, (history, requests[i].Gpus), Feasibility.Judge(Judged(requests[i]), inventory)))];
    }

    /// <summary>
    /// A job VGAC already scored (<see cref="PredictPendingAsync"/>) judged again with the job's own record: its
    /// feasibility against the inventory and its wait interval, on the same numbers and calibration, without asking VGAC
    /// to predict it a second time. A fallback stays a fallback.
    /// </summary>
    /// <param name="scored">The job's prediction from the pending batch.</param>
    /// <param name="request">The job as its record describes it.</param>
    /// <param name="cancellationToken">Cancels the reads of the inventory and the wait history.</param>
    public async Task<GuardedJobPrediction> JudgeJobAsync(GuardedJobPrediction scored, JobPredictRequest request, CancellationToken cancellationToken = default)
    {
        if (scored.Prediction is not { } prediction)
        {
            return scored;
        }

        var historyTask = _intervals.GetAsync(cancellationToken);
        var inventory = await _inventory.GetAsync(cancellationToken).ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);
        return GuardJob(prediction, scored.Calibration, scored.RoundTripMs, (history, request.Gpus), Feasibility.Judge(Judged(request), inventory));
    }

    /// <summary>Predictions for the jobs pending now (<c>GET /api/jobs/predict/batch</c>), each judged.</summary>
    /// <param name="limit">Rows to ask for.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="calibration">The calibration to judge against when the caller has just established it (the watch cycle).</param>
    public async Task<IReadOnlyList<GuardedJobPrediction>> PredictPendingAsync(int limit, CancellationToken cancellationToken = default, CalibrationStatus? calibration = null)
    {
        var started = Stopwatch.GetTimestamp();
        var calibrationTask = calibration is null ? _calibration.GetAsync(cancellationToken) : Task.FromResult(calibration);
        var batch = await _client.PredictPendingJobsAsync(limit, cancellationToken).ConfigureAwait(false);
        var status = await calibrationTask.ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return [.. batch.Predictions.Select(p => GuardJob(p, status, elapsed))];
    }

    private GuardedPrediction Guard(JobSpec spec, PredictionResult? result, string? error, CalibrationStatus status, double elapsedMs, (Vgac.Copilot.Calibration.ConformalWaits?, string?) history, ClusterInventory inventory)
    {
        var facts = result is null ? PredictionFacts.Fallback : PredictionFacts.FromVgac(result.ProbabilityLongWait, result.Confidence, result.IsCalibrated);
        if (facts.Violation is { } violation)
        {
            // A contract violation is a fallback: the numbers that broke it are not kept to be shown.
            (result, error) = (null, violation);
        }

        var guards = _guards.Evaluate(facts, status.ToFacts(), Feasibility.Judge(spec, inventory));
        return new GuardedPrediction(spec, result, error, guards, status, elapsedMs,
            _intervals.For(history, guards, result?.EstimatedWaitSeconds, result?.ProbabilityLongWait ?? 0, spec.Gpus));
    }

    /// <summary>The guards' verdicts on a job's prediction, and its wait interval when the job's size is known.</summary>
    /// <param name="prediction">VGAC's prediction for the job.</param>
    /// <param name="status">The calibration in force.</param>
    /// <param name="elapsedMs">The round trip.</param>
    /// <param name="interval">The history and the job's GPU count, when the interval can be made.</param>
    /// <param name="feasibility">The request against the cluster's inventory, when there is a request to judge.</param>
    private GuardedJobPrediction GuardJob(WaitPrediction prediction, CalibrationStatus status, double elapsedMs, ((Vgac.Copilot.Calibration.ConformalWaits?, string?) History, int Gpus)? interval = null, FeasibilityVerdict? feasibility = null)
    {
        var facts = PredictionFacts.FromVgac(prediction.PredictedProbabilityLongWait, prediction.Confidence, prediction.IsCalibrated);
        var guards = _guards.Evaluate(facts, status.ToFacts(), feasibility);
        return new GuardedJobPrediction(prediction.JobId, facts.Violation is null ? prediction : null, facts.Violation, guards, status, elapsedMs,
            interval is { } i ? _intervals.For(i.History, guards, prediction.PredictedWaitSeconds, prediction.PredictedProbabilityLongWait, i.Gpus) : null);
    }

    /// <summary>
    /// What the feasibility guard judges of a request: a job VGAC already queued (it has an id) says nothing of how it
    /// is laid out across nodes, so only the limits that hold for any layout apply (taken as distributed).
    /// </summary>
    private static JobSpec Judged(JobPredictRequest request) => request.JobId is null ? request : request with { IsDistributed = true };

    private static void CheckCount(int got, int expected, VgacEndpoint endpoint)
    {
        if (got != expected)
        {
            throw new VgacInvalidResponseException($"VGAC {endpoint} returned {got} predictions for {expected} requests.", endpoint, "predictions");
        }
    }

    private static void Require(JobSpec spec)
    {
        var problems = JobSpecRules.Validate(spec);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(spec));
        }
    }

    private static bool IsClientError(VgacApiException ex) => ex.StatusCode is { } s && (int)s is >= 400 and < 500 && s != HttpStatusCode.RequestTimeout && s != HttpStatusCode.TooManyRequests;
}
