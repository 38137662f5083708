using System.Globalization;

namespace Vgac.Copilot.Core.Guards;

/// <summary>The sentence behind each verdict, composed from the verdict's own inputs.</summary>
internal static class GuardReasons
{
    public static string Gate(GateVerdict g) => g.Rule switch
    {
        GuardRules.Fallback when g.Violation is { } v => $"This is a fallback: {v}. It has no confidence and supports nothing.",
        GuardRules.Fallback => "This is a fallback, not a prediction from VGAC: it has no confidence and supports nothing.",
        GuardRules.GatePassed => I($"Confidence {g.Confidence:0.00} meets the {g.Gate:0.00} gate."),
        _ => I($"Confidence {g.Confidence:0.00} is below the {g.Gate:0.00} gate: show as low-confidence, no recommendation, no action."),
    };

    public static string Drift(DriftVerdict d) => d.Level switch
    {
        DriftLevel.Unknown => "No calibration figure is available: treat the model as uncalibrated.",
        DriftLevel.LearningMode => I($"Only {d.SampleCount} outcome samples (fewer than {d.MinimumSamples}): learning mode, escalate only."),
        _ when d.JudgedEce < d.EffectiveEce =>
            I($"ECE {d.EffectiveEce:0.000}; drift is judged on {d.JudgedEce:0.000} (the audit's lower bound, or VGAC's figure if higher), {d.Ratio:0.0}x the {d.BaselineEce:0.000} baseline: {Meaning(d.Level)}."),
        _ => I($"ECE {d.EffectiveEce:0.000} is {d.Ratio:0.0}x the {d.BaselineEce:0.000} baseline: {Meaning(d.Level)}."),
    };

    public static string Tier(TierVerdict t) => t.Rule switch
    {
        GuardRules.Fallback => "A fallback can never feed an action.",
        GuardRules.Infeasible => "The request exceeds what the cluster has: no wait makes it start, and nothing may act on it.",
        GuardRules.ConfidenceGate => I($"Confidence {t.Confidence:0.00} is below the {t.Gate:0.00} gate: show as low-confidence, no recommendation, no action."),
        GuardRules.LearningMode => I($"Only {t.SampleCount} outcome samples: learning mode, escalate only."),
        GuardRules.Uncalibrated => "The model is not calibrated (is_calibrated false, recalibration needed, or no ECE known): no tier qualifies.",
        GuardRules.DriftRecalibrationRequired or GuardRules.DriftReduceAutonomy =>
            I($"Drift is {t.DriftRatio:0.0}x the baseline (judged on the audit's lower bound or VGAC's figure, not ECE {t.EffectiveEce:0.000}): {Meaning(t.Drift)}."),
        GuardRules.TierThreshold => I($"P(long wait) {t.Probability:0.00} is below tier {t.Tier}'s {t.Epsilon:0.00}."),
        GuardRules.TierEce => I($"ECE {t.EffectiveEce:0.000} exceeds tier {t.Tier}'s {t.MaxEce:0.000}."),
        _ => I($"P(long wait) {t.Probability:0.00} >= {t.Epsilon:0.00}, ECE {t.EffectiveEce:0.000} <= {t.MaxEce:0.000}, confidence {t.Confidence:0.00} passes the gate: {t.Action} allowed."),
    };

    private static string Meaning(DriftLevel level) => level switch
    {
        DriftLevel.Stable => "stable",
        DriftLevel.Monitor => "monitor",
        DriftLevel.ReduceAutonomy => "reduce autonomy: only tier 1 may act",
        _ => "recalibration required: no action may run",
    };

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
