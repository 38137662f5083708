using System.Globalization;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// The one place where the copilot decides whether a number may be shown as confident and whether an action may
/// run. Pure functions of their inputs: no I/O, no clock, no LLM. Every path (CLI, plugins, MCP, planner, watch
/// loop) calls this service; none re-implements a rule.
/// </summary>
public sealed class GuardPolicy(IOptions<GuardOptions> options)
{
    private readonly GuardOptions _o = options.Value;

    public GuardOptions Options => _o;

    /// <summary>The confidence gate: c ≥ gate and not a fallback.</summary>
    public GateVerdict Gate(PredictionFacts prediction)
    {
        var isLong = prediction.Probability >= _o.OperatingThreshold;
        if (prediction.IsFallback)
        {
            return new GateVerdict(false, GuardRules.Fallback, 0, _o.ConfidenceGate, isLong,
                "This is a fallback, not a prediction from VGAC: it has no confidence and supports nothing.");
        }

        return prediction.Confidence >= _o.ConfidenceGate
            ? new GateVerdict(true, GuardRules.GatePassed, prediction.Confidence, _o.ConfidenceGate, isLong,
                Invariant($"Confidence {prediction.Confidence:0.00} meets the {_o.ConfidenceGate:0.00} gate."))
            : new GateVerdict(false, GuardRules.ConfidenceGate, prediction.Confidence, _o.ConfidenceGate, isLong,
                Invariant($"Confidence {prediction.Confidence:0.00} is below the {_o.ConfidenceGate:0.00} gate: show as low-confidence, no recommendation, no action."));
    }

    /// <summary>Drift: effective ECE over the baseline, with learning mode below the minimum sample count.</summary>
    public DriftVerdict Drift(CalibrationFacts calibration)
    {
        var ece = calibration.EffectiveEce(_o.LearningModeMinSamples);
        var samples = calibration.Samples;
        if (ece is null && samples == 0)
        {
            return new DriftVerdict(DriftLevel.Unknown, null, null, _o.BaselineEce, 0, "No calibration figure is available: treat the model as uncalibrated.");
        }

        if (samples < _o.LearningModeMinSamples)
        {
            return new DriftVerdict(DriftLevel.LearningMode, ece / _o.BaselineEce, ece, _o.BaselineEce, samples,
                Invariant($"Only {samples} outcome samples (fewer than {_o.LearningModeMinSamples}): learning mode, escalate only."));
        }

        if (ece is not { } e)
        {
            return new DriftVerdict(DriftLevel.Unknown, null, null, _o.BaselineEce, samples, "No calibration figure is available: treat the model as uncalibrated.");
        }

        var ratio = e / _o.BaselineEce;
        var (level, meaning) = ratio switch
        {
            _ when ratio <= _o.StableRatio => (DriftLevel.Stable, "stable"),
            _ when ratio <= _o.MonitorRatio => (DriftLevel.Monitor, "monitor"),
            _ when ratio <= _o.ReduceAutonomyRatio => (DriftLevel.ReduceAutonomy, "reduce autonomy: only tier 1 may act"),
            _ => (DriftLevel.RecalibrationRequired, "recalibration required: no action may run"),
        };
        return new DriftVerdict(level, ratio, e, _o.BaselineEce, samples,
            Invariant($"ECE {e:0.000} is {ratio:0.0}x the {_o.BaselineEce:0.000} baseline: {meaning}."));
    }

    /// <summary>Every tier's verdict for one prediction under the given calibration.</summary>
    public GuardReport Evaluate(PredictionFacts prediction, CalibrationFacts calibration)
    {
        var gate = Gate(prediction);
        var drift = Drift(calibration);
        var tiers = _o.EffectiveTiers.Select(t => Tier(t, prediction, calibration, gate, drift)).ToList();
        return new GuardReport(gate, drift, tiers);
    }

    private TierVerdict Tier(TierOptions tier, PredictionFacts p, CalibrationFacts c, GateVerdict gate, DriftVerdict drift)
    {
        var ece = drift.EffectiveEce;
        TierVerdict Verdict(bool allowed, string rule, string reason) =>
            new(tier.Tier, tier.Action, allowed, rule, reason, p.Probability, tier.Epsilon, ece, tier.MaxEce, p.Confidence, drift.Level);

        // The first rule that fails decides; the order puts the most fundamental reason first.
        if (p.IsFallback)
        {
            return Verdict(false, GuardRules.Fallback, "A fallback can never feed an action.");
        }

        if (!gate.Passed)
        {
            return Verdict(false, GuardRules.ConfidenceGate, gate.Reason);
        }

        if (drift.Level == DriftLevel.LearningMode)
        {
            return Verdict(false, GuardRules.LearningMode, drift.Reason);
        }

        if (!p.IsCalibrated || !c.IsCalibrated || ece is null)
        {
            return Verdict(false, GuardRules.Uncalibrated, "The model is not calibrated (is_calibrated false, recalibration needed, or no ECE known): no tier qualifies.");
        }

        if (drift.Level == DriftLevel.RecalibrationRequired)
        {
            return Verdict(false, GuardRules.DriftRecalibrationRequired, drift.Reason);
        }

        if (drift.Level == DriftLevel.ReduceAutonomy && tier.Tier > 1)
        {
            return Verdict(false, GuardRules.DriftReduceAutonomy, drift.Reason);
        }

        if (p.Probability < tier.Epsilon)
        {
            return Verdict(false, GuardRules.TierThreshold, Invariant($"P(long wait) {p.Probability:0.00} is below tier {tier.Tier}'s {tier.Epsilon:0.00}."));
        }

        if (ece > tier.MaxEce)
        {
            return Verdict(false, GuardRules.TierEce, Invariant($"ECE {ece:0.000} exceeds tier {tier.Tier}'s {tier.MaxEce:0.000}."));
        }

        return Verdict(true, GuardRules.TierAllowed,
            Invariant($"P(long wait) {p.Probability:0.00} >= {tier.Epsilon:0.00}, ECE {ece:0.000} <= {tier.MaxEce:0.000}, confidence {p.Confidence:0.00} passes the gate: {tier.Action} allowed."));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
