using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Calibration;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Prediction;

/// <summary>
/// The simulated VGAC prediction service: predicts at every submit (kept in the job's history), answers the
/// prediction endpoints, refits periodically on the simulation's own outcomes, and measures its calibration.
/// </summary>
internal sealed class PredictionService(SimulatorOptions options) : ISimulationObserver
{
    private readonly Queue<long> _latencies = new();
    private double _lastFitAt = double.NegativeInfinity;
    private (double At, int Fits, CalibrationReport? Report)? _calibrationCache;
    private int _fits;

    public WaitModel? Model { get; private set; }

    /// <summary>Injected drift: added to the logit of every calibrated probability.</summary>
    public double LogitBias { get; set; }

    public bool AutoRefit { get; set; } = options.AutoRefit;

    public long TotalPredictions { get; private set; }

    public double? LastRefitAt => Model is null ? null : _lastFitAt;

    public IReadOnlyList<long> RecentLatenciesUs => [.. _latencies];

    public SubmitPrediction? OnSubmitted(SimJob job, ClusterSimulation simulation)
    {
        if (Model is null)
        {
            return null;
        }

        var output = Model.Predict(job.PendingRatioAtSubmit, job.PendingAtSubmit, LogitBias);
        TotalPredictions++;
        return new SubmitPrediction
        {
            ProbabilityLongWait = Round(output.Probability),
            Confidence = Round(output.Confidence),
            EstimatedWaitSeconds = Math.Round(output.EstimatedWaitSeconds, 1),
            IsCalibrated = true,
            ModelVersion = Model.Version,
            PendingRatio = Round(job.PendingRatioAtSubmit),
            PendingAtSubmit = job.PendingAtSubmit,
        };
    }

    public void OnStarted(SimJob job, ClusterSimulation simulation)
    {
    }

    public void OnTimeAdvanced(ClusterSimulation simulation)
    {
        // Without a model, try again every simulated half hour; with one, at the refit interval.
        var due = Model is null ? simulation.Now - _lastFitAt >= 1800 : AutoRefit && simulation.Now - _lastFitAt >= options.RefitIntervalHours * 3600;
        if (due)
        {
            Refit(simulation);
        }
    }

    /// <summary>Fits a new model on the most recent labelled outcomes; returns whether one was fitted.</summary>
    public bool Refit(ClusterSimulation simulation)
    {
        _lastFitAt = simulation.Now;
        var samples = LabelledSamples(simulation, options.TrainingWindow).Select(s => s.Sample).ToList();
        var model = WaitModel.TryFit(samples, string.Create(CultureInfo.InvariantCulture, $"sim-lr-iso-{_fits + 1}"), simulation.Now);
        if (model is null)
        {
            return false;
        }

        _fits++;
        Model = model;
        return true;
    }

    /// <summary>A live prediction for a job spec against the queue as it is now.</summary>
    public (ModelOutput Output, long LatencyUs)? Predict(ClusterSimulation simulation, int gpus, int priority)
    {
        if (Model is null)
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        var (ratio, pending) = simulation.QueueFeatures(gpus, priority);
        var output = Model.Predict(ratio, pending, LogitBias);
        var latency = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        TotalPredictions++;
        _latencies.Enqueue(latency);
        if (_latencies.Count > 1000)
        {
            _latencies.Dequeue();
        }

        return (output, Math.Max(1, latency));
    }

    /// <summary>ECE, MCE and Brier of the submit-time predictions against outcomes, over the recent window.</summary>
    public CalibrationReport? MeasureCalibration(ClusterSimulation simulation)
    {
        // Requests between two clock ticks see the same state: measure once per tick.
        if (_calibrationCache is { } cached && cached.At == simulation.Now && cached.Fits == _fits)
        {
            return cached.Report;
        }

        var report = Measure(simulation);
        _calibrationCache = (simulation.Now, _fits, report);
        return report;
    }

    private CalibrationReport? Measure(ClusterSimulation simulation)
    {
        var recent = LabelledSamples(simulation, options.CalibrationWindow * 2).Where(s => s.Job.Prediction is not null).TakeLast(options.CalibrationWindow).ToList();
        if (recent.Count < 15)
        {
            return null;
        }

        return CalibrationStatistics.Compute(
            [.. recent.Select(s => s.Job.Prediction!.ProbabilityLongWait)],
            [.. recent.Select(s => s.Sample.Label)]);
    }

    /// <summary>
    /// Jobs whose outcome is known, oldest first: every job submitted at least one threshold ago has either
    /// started (label: waited longer than the threshold?) or is still waiting past it (label 1). Jobs cancelled
    /// before the threshold have no outcome and are left out.
    /// </summary>
    /// <param name="simulation">The simulation.</param>
    /// <param name="recent">How many of the most recent samples are wanted (the rest of history is not scanned).</param>
    public IEnumerable<(SimJob Job, WaitSample Sample)> LabelledSamples(ClusterSimulation simulation, int recent = int.MaxValue)
    {
        var threshold = options.LongWaitThresholdSeconds;
        var horizon = simulation.Now - threshold;
        // Finished jobs are kept in end order; the last few thousand ended recently, so they hold every recent submit.
        var finished = recent == int.MaxValue ? simulation.Finished : simulation.Finished.Skip(Math.Max(0, simulation.Finished.Count - recent * 2));
        var all = finished.Concat(simulation.Running).Concat(simulation.Pending)
            .Where(j => j.Request.SubmitAt <= horizon)
            .OrderBy(j => j.Request.SubmitAt)
            .TakeLast(recent);
        foreach (var job in all)
        {
            double wait;
            if (job.StartAt is { } start)
            {
                wait = start - job.Request.SubmitAt;
            }
            else
            {
                wait = (job.EndAt ?? simulation.Now) - job.Request.SubmitAt;
                if (wait <= threshold)
                {
                    continue;
                }
            }

            yield return (job, new WaitSample(job.Request.SubmitAt, job.PendingRatioAtSubmit, job.PendingAtSubmit, wait, wait > threshold ? 1 : 0));
        }
    }

    /// <summary>VGAC's policy generator: defaults below the 0.6 confidence gate, a priority boost above p 0.7.</summary>
    public static (string? Recommendation, PolicyRecommendation Policy) Advise(double p, double confidence)
    {
        if (confidence < 0.6)
        {
            return (null, new PolicyRecommendation
            {
                PriorityClass = PriorityClass.Normal,
                PreemptionPolicy = PreemptionPolicy.Normal,
                Reason = "confidence below 0.6: default policy",
            });
        }

        return p switch
        {
            > 0.7 => ("Consider lower priority queue, fewer GPUs, or an off-peak submit", new PolicyRecommendation
            {
                PriorityClass = PriorityClass.High,
                PreemptionPolicy = PreemptionPolicy.Reluctant,
                AllowTimeSlicing = true,
                Reason = "probability of a long wait above 0.7: boost priority",
            }),
            > 0.5 => ("Wait may be long; consider fewer GPUs or a less busy GPU type", new PolicyRecommendation
            {
                PriorityClass = PriorityClass.Normal,
                PreemptionPolicy = PreemptionPolicy.Normal,
                Reason = "probability of a long wait above the 0.5 operating threshold",
            }),
            < 0.2 => ("Expected to start soon", new PolicyRecommendation
            {
                PriorityClass = PriorityClass.Normal,
                PreemptionPolicy = PreemptionPolicy.Eager,
                Reason = "short wait expected",
            }),
            _ => ("Expected to start soon", new PolicyRecommendation
            {
                PriorityClass = PriorityClass.Normal,
                PreemptionPolicy = PreemptionPolicy.Normal,
                Reason = "short wait expected",
            }),
        };
    }

    public static string Category(double p) => p switch
    {
        >= 0.7 => "high",
        >= 0.3 => "medium",
        _ => "low",
    };

    private static double Round(double value) => Math.Round(value, 4);
}
