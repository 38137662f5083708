using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>
/// A guarded prediction shaped for output (JSON for scripts and tools): the numbers, their confidence, the gate,
/// drift and tier verdicts, calibration, and timing — never a number without its verdicts.
/// </summary>
public sealed record PredictionView(
    Jobs.JobSpecInput Spec,
    bool IsFallback,
    string? Error,
    double ProbabilityLongWait,
    double Confidence,
    ShownAs ShownAs,
    string? WaitCategory,
    double? EstimatedWaitSeconds,
    string? Recommendation,
    PolicyRecommendation? Policy,
    string? ModelVersion,
    GateVerdict Gate,
    DriftVerdict Drift,
    IReadOnlyList<TierVerdict> Tiers,
    int HighestTier,
    CalibrationView Calibration,
    TimingView Timing,
    Vgac.Copilot.Calibration.WaitInterval? WaitInterval = null,
    string? WaitIntervalReason = null,
    FeasibilityVerdict? Feasibility = null)
{
    /// <summary>The cluster that answered, when several are configured (left out otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string? Cluster { get; init; }

    /// <summary>The Kubernetes workload predicted for (<c>Job/train</c>), when it came from a manifest (left out otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string? Workload { get; init; }

    public static PredictionView From(GuardedPrediction p, double? totalMs = null) => new(
        Jobs.JobSpecInput.From(p.Spec),
        p.IsFallback,
        p.Error,
        Math.Round(p.Probability, 4),
        Math.Round(p.Confidence, 4),
        p.ShownAs,
        // An infeasible request has no wait to speak of: VGAC's estimate is left out, its probability kept beside the verdict.
        p.ShownAs == ShownAs.Infeasible ? null : p.Result?.WaitCategory,
        p.ShownAs == ShownAs.Infeasible ? null : p.Result?.EstimatedWaitSeconds,
        p.Recommendation,
        p.Policy,
        p.Result?.ModelVersion,
        p.Guards.Gate,
        p.Guards.Drift,
        p.Guards.Tiers,
        p.Guards.HighestTier,
        new CalibrationView(p.Calibration.ReportedEce, p.Calibration.AuditedEce, p.Guards.Drift.EffectiveEce, p.Calibration.ReportedSamples,
            p.Calibration.RecalibrationNeeded, p.Calibration.Error),
        new TimingView(p.VgacLatencyMs, Math.Round(p.RoundTripMs, 2), totalMs is { } t ? Math.Round(t, 2) : null),
        p.Wait?.Interval,
        p.Wait?.Reason,
        p.Guards.Feasibility);
}

public sealed record CalibrationView(double? ReportedEce, double? AuditedEce, double? EffectiveEce, int SampleCount, bool RecalibrationNeeded, string? Error);

/// <summary>VGAC's own inference time, the HTTP round trip, and the whole command.</summary>
public sealed record TimingView(double? VgacMs, double RoundTripMs, double? TotalMs);
