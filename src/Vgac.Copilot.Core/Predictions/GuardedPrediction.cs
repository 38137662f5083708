using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>
/// The one guarded result: VGAC's numbers with the guards' verdicts and the calibration in force beside them, so no
/// consumer can show a number without its confidence. Its two subjects differ only in what was asked about (a
/// described job, <see cref="GuardedPrediction"/>; a job by id, <see cref="GuardedJobPrediction"/>) and which VGAC answer
/// carries the numbers; every rule about what may be shown lives here once. A fallback (VGAC could not answer, or its
/// numbers broke the contract: <see cref="Error"/> says how) has confidence 0, recommends nothing and allows nothing.
/// </summary>
public abstract record GuardedEstimate(string? Error, GuardReport Guards, CalibrationStatus Calibration, double RoundTripMs, WaitEstimate? Wait)
{
    /// <summary>True when there are no usable numbers from VGAC.</summary>
    public abstract bool IsFallback { get; }

    /// <summary>P(long wait), 0 for a fallback.</summary>
    public abstract double Probability { get; }

    /// <summary>Model confidence, 0 for a fallback.</summary>
    public abstract double Confidence { get; }

    /// <summary>VGAC's point estimate of the wait, if it gave one.</summary>
    public abstract double? EstimatedWaitSeconds { get; }

    /// <summary>VGAC's <c>low</c>/<c>medium</c>/<c>high</c>, where the endpoint gives one.</summary>
    public virtual string? WaitCategory => null;

    public abstract string? ModelVersion { get; }

    public ShownAs ShownAs => Guards.ShownAs;

    /// <summary>VGAC's recommendation, only when the guards let one through (confident, no recalibration required).</summary>
    public string? Recommendation => Guards.MayRecommend ? RawRecommendation : null;

    /// <summary>VGAC's policy, only when the guards let one through.</summary>
    public PolicyRecommendation? Policy => Guards.MayRecommend ? RawPolicy : null;

    private protected abstract string? RawRecommendation { get; }

    private protected abstract PolicyRecommendation? RawPolicy { get; }
}

/// <summary>The guarded result for a described job (<c>POST /api/predict/wait</c>); <see cref="Result"/> is null for a fallback.</summary>
public sealed record GuardedPrediction(
    JobSpec Spec,
    PredictionResult? Result,
    string? Error,
    GuardReport Guards,
    CalibrationStatus Calibration,
    double RoundTripMs,
    WaitEstimate? Wait = null) : GuardedEstimate(Error, Guards, Calibration, RoundTripMs, Wait)
{
    public override bool IsFallback => Result is null;

    public override double Probability => Result?.ProbabilityLongWait ?? 0;

    public override double Confidence => Result?.Confidence ?? 0;

    public override double? EstimatedWaitSeconds => Result?.EstimatedWaitSeconds;

    public override string? WaitCategory => Result?.WaitCategory;

    public override string? ModelVersion => Result?.ModelVersion;

    /// <summary>VGAC's own inference time.</summary>
    public double? VgacLatencyMs => Result is null ? null : Result.LatencyUs / 1000.0;

    private protected override string? RawRecommendation => Result?.Recommendation;

    private protected override PolicyRecommendation? RawPolicy => Result?.Policy;
}

/// <summary>
/// The guarded result for a job by id (<c>POST /api/jobs/predict</c>). <see cref="Prediction"/> is null when VGAC's
/// numbers broke the contract (<see cref="GuardedEstimate.Error"/> says how): such a prediction is a fallback.
/// </summary>
public sealed record GuardedJobPrediction(
    string JobId,
    WaitPrediction? Prediction,
    string? Error,
    GuardReport Guards,
    CalibrationStatus Calibration,
    double RoundTripMs,
    WaitEstimate? Wait = null) : GuardedEstimate(Error, Guards, Calibration, RoundTripMs, Wait)
{
    public override bool IsFallback => Prediction is null;

    public override double Probability => Prediction?.PredictedProbabilityLongWait ?? 0;

    public override double Confidence => Prediction?.Confidence ?? 0;

    public override double? EstimatedWaitSeconds => Prediction?.PredictedWaitSeconds;

    public override string? ModelVersion => Prediction?.ModelVersion;

    private protected override string? RawRecommendation => Prediction?.Recommendation;

    private protected override PolicyRecommendation? RawPolicy => Prediction?.Policy;
}
