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

    /// <summary>A release of a gate vgac itself ran: it lifts vgac's own hold, so calibration does not hold it back.</summary>
    public const string OwnGate = "own_gate";

    /// <summary>The request exceeds what the cluster has (<see cref="Feasibility"/>): no wait makes it start, nothing may act.</summary>
    public const string Infeasible = "infeasible";

    /// <summary>A name from VGAC (namespace, job id, partition) that the target system would not accept: nothing is built from it.</summary>
    public const string InvalidIdentifier = "invalid_identifier";
}

/// <summary>
/// What a prediction says, as the guards see it. Made in one place, <see cref="FromVgac"/>, which treats a
/// non-finite or out-of-range probability or confidence as the contract violation it is: a fallback (confidence 0,
/// nothing recommended, nothing allowed) that carries the reason.
/// </summary>
public sealed record PredictionFacts
{
    private PredictionFacts(double probability, double confidence, bool isCalibrated, bool isFallback, string? violation)
    {
        (Probability, Confidence, IsCalibrated, IsFallback, Violation) = (probability, confidence, isCalibrated, isFallback, violation);
    }

    /// <summary>P(long wait), in [0, 1].</summary>
    public double Probability { get; }

    /// <summary>Model confidence, in [0, 1]; 0 for a fallback.</summary>
    public double Confidence { get; }

    /// <summary>VGAC's own <c>is_calibrated</c> flag on the prediction.</summary>
    public bool IsCalibrated { get; }

    /// <summary>True when VGAC gave no usable prediction and this is a stand-in.</summary>
    public bool IsFallback { get; }

    /// <summary>Why VGAC's numbers were refused (out of range, not finite); null when they were not.</summary>
    public string? Violation { get; }

    /// <summary>VGAC could not answer: no numbers at all.</summary>
    public static PredictionFacts Fallback { get; } = new(0, 0, false, true, null);

    /// <summary>The facts of one prediction VGAC returned, checked against the contract first.</summary>
    public static PredictionFacts FromVgac(double probability, double confidence, bool isCalibrated)
    {
        var violation = VgacValues.Unit(probability, "probability") ?? VgacValues.Unit(confidence, "confidence");
        return violation is null
            ? new PredictionFacts(probability, confidence, isCalibrated, false, null)
            : new PredictionFacts(0, 0, false, true, $"VGAC returned {violation}: a contract violation, treated as a fallback");
    }
}

/// <summary>What is known about the model's calibration when a verdict is made.</summary>
/// <param name="ReportedEce">ECE VGAC reports (<c>/api/jobs/predict/calibration</c>), if it answered.</param>
/// <param name="AuditedEce">Debiased ECE the copilot measured itself on outcomes, if it did.</param>
/// <param name="SampleCount">Outcome samples behind the reported figure (VGAC's <c>sample_count</c>).</param>
/// <param name="IsCalibrated">False when VGAC says recalibration is needed, or nothing is known.</param>
/// <param name="AuditedSamples">Outcomes behind <paramref name="AuditedEce"/>.</param>
/// <param name="AuditedEceLow">
/// Lower end of the audit's interval: drift is judged on it, so that sampling noise and correlated episodes do not read
/// as drift. Null for an audit without an interval (judged on its estimate).
/// </param>
public sealed record CalibrationFacts(double? ReportedEce, double? AuditedEce, int SampleCount, bool IsCalibrated, int AuditedSamples = 0, double? AuditedEceLow = null)
{
    public static CalibrationFacts Unknown { get; } = new(null, null, 0, false);

    /// <summary>Outcomes known to either side.</summary>
    public int Samples => Math.Max(SampleCount, AuditedSamples);

    /// <summary>The worse of reported and audited (the audit counts once it rests on enough outcomes); null if neither.</summary>
    public double? EffectiveEce(int minimumAuditSamples) => Worse(ReportedEce, AuditedSamples >= minimumAuditSamples ? AuditedEce : null);

    /// <summary>
    /// What drift is judged on: the worse of reported and the lower end of the audit's interval (its estimate when it
    /// has none). Evidence of drift, not noise: a perfectly calibrated model stays stable in at least 95 % of audits.
    /// </summary>
    public double? DriftEce(int minimumAuditSamples) => Worse(ReportedEce, AuditedSamples >= minimumAuditSamples ? AuditedEceLow ?? AuditedEce : null);

    private static double? Worse(double? reported, double? audited) =>
        (reported, audited) switch
        {
            ({ } r, { } a) => Math.Max(r, a),
            ({ } r, null) => r,
            (null, { } a) => a,
            _ => null,
        };
}

/// <summary>Drift levels, from least to most severe.</summary>
[JsonConverter(typeof(Vgac.Copilot.Core.Text.WireNameConverter<DriftLevel>))]
public enum DriftLevel
{
    Stable,
    Monitor,
    ReduceAutonomy,
    RecalibrationRequired,
    LearningMode,
    Unknown,
}

/// <summary>
/// The drift judgement: the ratio of the figure drift is judged on (<paramref name="JudgedEce"/>, see
/// <see cref="CalibrationFacts.DriftEce"/>) to the baseline, and what it means. <paramref name="EffectiveEce"/> is the
/// estimate the tiers' ECE limits are held to.
/// </summary>
public sealed record DriftVerdict(DriftLevel Level, double? Ratio, double? EffectiveEce, double BaselineEce, int SampleCount, int MinimumSamples, double? JudgedEce = null)
{
    /// <summary>One sentence a person can read (composed on demand: evaluating a verdict formats no text).</summary>
    public string Reason => GuardReasons.Drift(this);
}

/// <summary>The confidence gate's judgement of one prediction.</summary>
public sealed record GateVerdict(bool Passed, string Rule, double Confidence, double Gate, bool IsLongWait, string? Violation = null)
{
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

/// <summary>Every guard's verdict on one prediction: feasibility, gate, drift, each tier, and the highest tier allowed.</summary>
/// <param name="Gate">The confidence gate.</param>
/// <param name="Drift">Drift.</param>
/// <param name="Tiers">Each tier's verdict.</param>
/// <param name="Feasibility">The request against the cluster's inventory; null when there was no request to judge.</param>
public sealed record GuardReport(GateVerdict Gate, DriftVerdict Drift, IReadOnlyList<TierVerdict> Tiers, FeasibilityVerdict? Feasibility = null)
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

    /// <summary>How the number may be shown: the one place that decides it.</summary>
    public ShownAs ShownAs => Feasibility is { IsInfeasible: true } ? ShownAs.Infeasible
        : Gate.Rule == GuardRules.Fallback ? ShownAs.Fallback
        : !Gate.Passed ? ShownAs.LowConfidence
        : Drift.Level == DriftLevel.RecalibrationRequired ? ShownAs.RecalibrationRequired
        : ShownAs.Confident;

    /// <summary>A recommendation may accompany the number: confident, and the model not in need of recalibration.</summary>
    public bool MayRecommend => ShownAs == ShownAs.Confident;
}

/// <summary>How a prediction may be shown, and why not as confident.</summary>
[JsonConverter(typeof(Vgac.Copilot.Core.Text.WireNameConverter<ShownAs>))]
public enum ShownAs
{
    /// <summary>Confidence at the gate, calibration usable: the number and a recommendation may be shown.</summary>
    Confident,

    /// <summary>Below the confidence gate: the number only, marked, no recommendation.</summary>
    LowConfidence,

    /// <summary>No usable prediction (VGAC down, or its numbers broke the contract): confidence 0.</summary>
    Fallback,

    /// <summary>Confident, but drift says recalibration is required: the number only, no recommendation.</summary>
    RecalibrationRequired,

    /// <summary>
    /// The request exceeds what the cluster has (more GPUs than exist, a type it has not, a node larger than any):
    /// whatever VGAC's model says, it cannot start. No number, no recommendation, no action; the limit it exceeds.
    /// </summary>
    Infeasible,
}

/// <summary>Contract checks on numbers VGAC sends: each returns what is wrong, or null.</summary>
public static class VgacValues
{
    /// <summary>A probability-like value must be finite and in [0, 1].</summary>
    public static string? Unit(double value, string name) =>
        double.IsFinite(value) && value is >= 0 and <= 1 ? null : $"{name} {Show(value)}, outside [0, 1]";

    /// <summary>A count must not be negative.</summary>
    public static string? Count(long value, string name) => value >= 0 ? null : $"{name} {value}, a negative count";

    private static string Show(double value) => double.IsNaN(value) ? "NaN" : value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
