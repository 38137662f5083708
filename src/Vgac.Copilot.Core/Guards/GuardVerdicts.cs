using System.Text.Json.Serialization;

namespace Vgac.Copilot.Core.Guards;

/// <summary>Names of the rules a verdict can cite. Stable: evals and audits match on them.</summary>
public static class GuardRules
{
    public const string Fallback = "fallback";
    public const string ConfidenceGate = "confidence_gate";
    public const string LearningMode = "learning_mode";
    public const string Uncalibrated = "uncalibrated";
    public const string DriftRecalibrationRequired = "drift_recalibration_required";
    public const string DriftReduceAutonomy = "drift_reduce_autonomy";
    public const string TierThreshold = "tier_threshold";
    public const string TierEce = "tier_ece";
    public const string TierAllowed = "tier_allowed";
    public const string GatePassed = "confidence_gate_passed";
}

/// <summary>What a prediction says, as the guards see it.</summary>
/// <param name="Probability">P(long wait), in [0, 1].</param>
/// <param name="Confidence">Model confidence, in [0, 1]; 0 for a fallback.</param>
/// <param name="IsCalibrated">VGAC's own <c>is_calibrated</c> flag on the prediction.</param>
/// <param name="IsFallback">True when VGAC gave no real prediction and this is a stand-in.</param>
public sealed record PredictionFacts(double Probability, double Confidence, bool IsCalibrated, bool IsFallback)
{
    public static PredictionFacts Fallback { get; } = new(0, 0, false, true);
}

/// <summary>What is known about the model's calibration when a verdict is made.</summary>
/// <param name="ReportedEce">ECE VGAC reports (<c>/api/jobs/predict/calibration</c>), if it answered.</param>
/// <param name="AuditedEce">ECE the copilot measured itself on outcomes, if it did.</param>
/// <param name="SampleCount">Outcome samples behind the reported figure (VGAC's <c>sample_count</c>).</param>
/// <param name="IsCalibrated">False when VGAC says recalibration is needed, or nothing is known.</param>
/// <param name="AuditedSamples">Outcomes behind <paramref name="AuditedEce"/>.</param>
public sealed record CalibrationFacts(double? ReportedEce, double? AuditedEce, int SampleCount, bool IsCalibrated, int AuditedSamples = 0)
{
    public static CalibrationFacts Unknown { get; } = new(null, null, 0, false);

    /// <summary>Outcomes known to either side.</summary>
    public int Samples => Math.Max(SampleCount, AuditedSamples);

    /// <summary>The worse of reported and audited (the audit counts once it rests on enough outcomes); null if neither.</summary>
    public double? EffectiveEce(int minimumAuditSamples)
    {
        var audited = AuditedSamples >= minimumAuditSamples ? AuditedEce : null;
        return (ReportedEce, audited) switch
        {
            ({ } r, { } a) => Math.Max(r, a),
            ({ } r, null) => r,
            (null, { } a) => a,
            _ => null,
        };
    }
}

/// <summary>Drift levels, from least to most severe.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftLevel>))]
public enum DriftLevel
{
    [JsonStringEnumMemberName("stable")] Stable,
    [JsonStringEnumMemberName("monitor")] Monitor,
    [JsonStringEnumMemberName("reduce_autonomy")] ReduceAutonomy,
    [JsonStringEnumMemberName("recalibration_required")] RecalibrationRequired,
    [JsonStringEnumMemberName("learning_mode")] LearningMode,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>The drift judgement: ratio of effective ECE to the baseline, and what it means.</summary>
public sealed record DriftVerdict(DriftLevel Level, double? Ratio, double? EffectiveEce, double BaselineEce, int SampleCount, int MinimumSamples)
{
    /// <summary>One sentence a person can read (composed on demand: evaluating a verdict formats no text).</summary>
    public string Reason => GuardReasons.Drift(this);
}

/// <summary>The confidence gate's judgement of one prediction.</summary>
public sealed record GateVerdict(bool Passed, string Rule, double Confidence, double Gate, bool IsLongWait)
{
    /// <summary>The number may be shown as confident and a recommendation may accompany it.</summary>
    public bool MayRecommend => Passed;

    public string Reason => GuardReasons.Gate(this);
}

/// <summary>Whether one tier's action may run, the rule that decided, and the inputs it saw.</summary>
public sealed record TierVerdict(
    int Tier,
    string Action,
    bool Allowed,
    string Rule,
    double Probability,
    double Epsilon,
    double? EffectiveEce,
    double MaxEce,
    double Confidence,
    double Gate,
    DriftLevel Drift,
    double? DriftRatio,
    int SampleCount)
{
    public string Reason => GuardReasons.Tier(this);
}

/// <summary>Every guard's verdict on one prediction: gate, drift, each tier, and the highest tier allowed.</summary>
public sealed record GuardReport(GateVerdict Gate, DriftVerdict Drift, IReadOnlyList<TierVerdict> Tiers)
{
    /// <summary>0 when no tier is allowed.</summary>
    public int HighestTier
    {
        get
        {
            var highest = 0;
            foreach (var t in Tiers)
            {
                if (t.Allowed && t.Tier > highest)
                {
                    highest = t.Tier;
                }
            }

            return highest;
        }
    }

    public bool Allows(int tier) => Tiers.Any(t => t.Tier == tier && t.Allowed);
}
