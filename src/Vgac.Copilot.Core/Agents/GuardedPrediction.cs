using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Agents;

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
    double RoundTripMs)
{
    public bool IsFallback => Result is null;

    public double Probability => Result?.ProbabilityLongWait ?? 0;

    public double Confidence => Result?.Confidence ?? 0;

    /// <summary>VGAC's own inference time.</summary>
    public double? VgacLatencyMs => Result is null ? null : Result.LatencyUs / 1000.0;

    /// <summary>VGAC's recommendation, only when the confidence gate lets one through.</summary>
    public string? Recommendation => Guards.Gate.MayRecommend ? Result?.Recommendation : null;

    /// <summary>VGAC's policy, only when the confidence gate lets one through.</summary>
    public PolicyRecommendation? Policy => Guards.Gate.MayRecommend ? Result?.Policy : null;
}
