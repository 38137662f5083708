using System.Diagnostics;
using System.Net;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Agents;

/// <summary>
/// The latency-critical prediction path: VGAC's prediction endpoint, then the guards with the current (cached)
/// calibration. No kernel, no LLM, no prompt. The CLI's <c>vgac predict</c>, the plugins and the MCP tools all
/// come through here.
/// </summary>
public sealed class PredictorAgent(IVgacClient client, CalibrationProvider calibration, GuardPolicy guards)
{
    /// <summary>
    /// Predicts for one spec. VGAC being down, slow or broken gives a fallback marked confidence 0, never an
    /// exception; VGAC rejecting the spec (4xx) is the caller's error and is thrown.
    /// </summary>
    public async Task<GuardedPrediction> PredictAsync(JobSpec spec, CancellationToken cancellationToken = default)
    {
        Require(spec);
        var started = Stopwatch.GetTimestamp();
        var calibrationTask = calibration.GetAsync(cancellationToken);
        PredictionResult? result = null;
        string? error = null;
        try
        {
            result = await client.PredictWaitAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException ex) when (!IsClientError(ex))
        {
            error = ex.Message;
        }

        var status = await calibrationTask.ConfigureAwait(false);
        return Guard(spec, result, error, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Predicts for several specs in one batch call; on failure every spec gets a fallback.</summary>
    public async Task<IReadOnlyList<GuardedPrediction>> PredictBatchAsync(IReadOnlyList<JobSpec> specs, CancellationToken cancellationToken = default)
    {
        foreach (var spec in specs)
        {
            Require(spec);
        }

        var started = Stopwatch.GetTimestamp();
        var calibrationTask = calibration.GetAsync(cancellationToken);
        IReadOnlyList<PredictionResult?> results;
        string? error = null;
        try
        {
            var batch = await client.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
            if (batch.Predictions.Count != specs.Count)
            {
                throw new VgacInvalidResponseException(
                    $"VGAC {VgacEndpoints.PredictBatch} returned {batch.Predictions.Count} predictions for {specs.Count} job specs.", VgacEndpoints.PredictBatch, "predictions");
            }

            results = batch.Predictions;
        }
        catch (VgacApiException ex) when (!IsClientError(ex))
        {
            error = ex.Message;
            results = [.. specs.Select(_ => (PredictionResult?)null)];
        }

        var status = await calibrationTask.ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return [.. specs.Select((spec, i) => Guard(spec, results[i], error, status, elapsed))];
    }

    private GuardedPrediction Guard(JobSpec spec, PredictionResult? result, string? error, CalibrationStatus status, double elapsedMs)
    {
        var facts = result is null
            ? PredictionFacts.Fallback
            : new PredictionFacts(result.ProbabilityLongWait, result.Confidence, result.IsCalibrated, IsFallback: false);
        return new GuardedPrediction(spec, result, error, guards.Evaluate(facts, status.ToFacts()), status, elapsedMs);
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
