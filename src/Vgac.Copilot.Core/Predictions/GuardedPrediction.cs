using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>
/// A prediction with its guard verdicts and calibration beside it, so no consumer can show the number without
/// its confidence. A fallback (VGAC could not answer) has confidence 0, no recommendation, and allows nothing.
/// </summary>
public sealed record GuardedPrediction(
    JobSpec Spec,
    PredictionResult? Result,
    string? Error,
    GuardReport Guards,
    CalibrationStatus Calibration,
    double RoundTripMs,
    WaitEstimate? Wait = null)
{
    public bool IsFallback => Result is null;

    public double Probability => Result?.ProbabilityLongWait ?? 0;

    public double Confidence => Result?.Confidence ?? 0;

    /// <summary>VGAC's own inference time.</summary>
    public double? VgacLatencyMs => Result is null ? null : Result.LatencyUs / 1000.0;

    public ShownAs ShownAs => Guards.ShownAs;

    /// <summary>VGAC's recommendation, only when the guards let one through (confident, no recalibration required).</summary>
    public string? Recommendation => Guards.MayRecommend ? Result?.Recommendation : null;

    /// <summary>VGAC's policy, only when the guards let one through.</summary>
    public PolicyRecommendation? Policy => Guards.MayRecommend ? Result?.Policy : null;
}

/// <summary>
/// A prediction for a job (by id, or described) with its guard verdicts. <see cref="Prediction"/> is null when VGAC's
/// numbers broke the contract (<see cref="Violation"/> says how): such a prediction is a fallback and supports nothing.
/// </summary>
public sealed record GuardedJobPrediction(
    string JobId,
    WaitPrediction? Prediction,
    string? Violation,
    GuardReport Guards,
    CalibrationStatus Calibration,
    double RoundTripMs,
    WaitEstimate? Wait = null)
{
    public bool IsFallback => Prediction is null;

    public double Probability => Prediction?.PredictedProbabilityLongWait ?? 0;

    public double Confidence => Prediction?.Confidence ?? 0;

    public double? EstimatedWaitSeconds => Prediction?.PredictedWaitSeconds;

    public ShownAs ShownAs => Guards.ShownAs;

    /// <summary>VGAC's recommendation, only when the guards let one through.</summary>
    public string? Recommendation => Guards.MayRecommend ? Prediction?.Recommendation : null;

    /// <summary>VGAC's policy, only when the guards let one through.</summary>
    public PolicyRecommendation? Policy => Guards.MayRecommend ? Prediction?.Policy : null;
}
