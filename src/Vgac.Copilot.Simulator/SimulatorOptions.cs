using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator;

/// <summary>How the simulated cluster behaves. Bound from the <c>Simulator</c> section.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary><c>kubernetes</c> or <c>slurm</c>.</summary>
    public SchedulerType Flavor { get; set; } = SchedulerType.Kubernetes;

    public int Seed { get; set; } = 42;

    /// <summary>Simulated seconds per real second while serving.</summary>
    public double Speed { get; set; } = 60;

    /// <summary>
    /// Simulated hours run before serving, so history, model and calibration exist from the first call. The default,
    /// a week and 36 hours, starts serving at Tuesday noon: a queue of about a dozen jobs (most of them too big for
    /// the free GPUs) and a well-calibrated model, so the first "why are jobs waiting?" has something to explain.
    /// </summary>
    public double WarmupHours { get; set; } = 204;

    /// <summary>A trace file to replay instead of the synthetic workload.</summary>
    public string? TracePath { get; set; }

    /// <summary>Hours into the trace where the replay starts (jobs submitted earlier are left out); 0 = its beginning.</summary>
    public double TraceStartHours { get; set; }

    /// <summary><c>auto</c> (from the file name), <c>alibaba</c>, <c>slurm-dataset</c> or <c>swf</c>.</summary>
    public string TraceFormat { get; set; } = "auto";

    /// <summary>
    /// <c>simulate</c>: trace jobs arrive at their submit times and the simulated scheduler decides when they start.
    /// <c>recorded</c>: they start when the trace says they did.
    /// </summary>
    public string TraceTiming { get; set; } = "simulate";

    /// <summary>A wait above this is a "long wait" (the model's label).</summary>
    public double LongWaitThresholdSeconds { get; set; } = 600;

    public double RefitIntervalHours { get; set; } = 1;

    public bool AutoRefit { get; set; } = true;

    /// <summary>Finished jobs the model is fitted on (the most recent ones).</summary>
    public int TrainingWindow { get; set; } = 1500;

    /// <summary>Recent outcomes the calibration endpoint measures ECE on.</summary>
    public int CalibrationWindow { get; set; } = 2000;

    /// <summary>Measured ECE above which the calibration endpoint says <c>recalibration_needed</c>.</summary>
    public double RecalibrationEceThreshold { get; set; } = 0.06;

    public string ClusterId { get; set; } = "sim-gpu-cluster";

    /// <summary>Synthetic workload: mean arrivals per hour (the daily profile swings around it).</summary>
    public double ArrivalsPerHour { get; set; } = 20;

    /// <summary>Start of simulated time.</summary>
    public DateTimeOffset StartTime { get; set; } = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Calibration drift from the start: added to the logit of every calibrated probability (0 = none).</summary>
    public double LogitBias { get; set; }

    public FaultOptions Faults { get; set; } = new();
}

/// <summary>Faults the simulator injects into <c>/api/*</c> responses. Also settable at run time under <c>/_sim/faults</c>.</summary>
public sealed class FaultOptions
{
    public int LatencyMs { get; set; }

    /// <summary>Share of requests answered 503, in [0, 1].</summary>
    public double ErrorRate { get; set; }

    /// <summary>Share of requests that never get an answer.</summary>
    public double HangRate { get; set; }

    /// <summary>Share of requests answered 200 with a truncated JSON body.</summary>
    public double MalformedRate { get; set; }

    /// <summary>When set, requests without <c>Authorization: Bearer {key}</c> (or <c>X-API-Key</c>) get 401.</summary>
    public string? RequiredApiKey { get; set; }

    public FaultOptions Clone() => (FaultOptions)MemberwiseClone();
}
