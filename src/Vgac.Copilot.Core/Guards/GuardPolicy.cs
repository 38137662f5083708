using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// The one place where the copilot decides whether a number may be shown as confident and whether an action may
/// run. Pure functions of their inputs: no I/O, no clock, no LLM. Every path (CLI, plugins, MCP, planner, watch
/// loop) calls this service; none re-implements a rule. Each verdict is counted (<c>vgac.guard.verdicts</c>, by rule,
/// tier and result) and logged with its inputs at debug level; neither changes what is decided.
/// </summary>
public sealed partial class GuardPolicy(IOptions<GuardOptions> options, ILogger<GuardPolicy>? logger = null)
{
    private readonly GuardOptions _o = options.Value;
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public GuardOptions Options => _o;

    /// <summary>The confidence gate: c ≥ gate and not a fallback.</summary>
    public GateVerdict Gate(PredictionFacts prediction)
    {
        var isLong = prediction.Probability >= _o.OperatingThreshold;
        if (prediction.IsFallback)
        {
            return new GateVerdict(false, GuardRules.Fallback, 0, _o.ConfidenceGate, isLong, prediction.Violation);
        }

        var passed = prediction.Confidence >= _o.ConfidenceGate;
        return new GateVerdict(passed, passed ? GuardRules.GatePassed : GuardRules.ConfidenceGate, prediction.Confidence, _o.ConfidenceGate, isLong);
    }

    /// <summary>
    /// Drift: the worse of VGAC's ECE and the lower end of the copilot's audit interval, over the baseline, with
    /// learning mode below the minimum sample count.
    /// </summary>
    public DriftVerdict Drift(CalibrationFacts calibration)
    {
        var ece = calibration.EffectiveEce(_o.LearningModeMinSamples);
        var samples = calibration.Samples;
        var min = _o.LearningModeMinSamples;

        // Defence in depth: the status is checked where it is read, but a broken figure must never read as stable.
        if (calibration.ReportedEce is { } r && VgacValues.Unit(r, "ECE") is not null
            || calibration.AuditedEce is { } a && VgacValues.Unit(a, "ECE") is not null
            || calibration.AuditedEceLow is { } l && VgacValues.Unit(l, "ECE") is not null
            || calibration.SampleCount < 0 || calibration.AuditedSamples < 0)
        {
            return new DriftVerdict(DriftLevel.Unknown, null, null, _o.BaselineEce, 0, min);
        }

        if (ece is null && samples == 0)
        {
            return new DriftVerdict(DriftLevel.Unknown, null, null, _o.BaselineEce, 0, min);
        }

        if (samples < min)
        {
            return new DriftVerdict(DriftLevel.LearningMode, ece / _o.BaselineEce, ece, _o.BaselineEce, samples, min);
        }

        if (ece is not { } e)
        {
            return new DriftVerdict(DriftLevel.Unknown, null, null, _o.BaselineEce, samples, min);
        }

        var judged = calibration.DriftEce(min) ?? e;
        var ratio = judged / _o.BaselineEce;
        var level = ratio <= _o.StableRatio ? DriftLevel.Stable
            : ratio <= _o.MonitorRatio ? DriftLevel.Monitor
            : ratio <= _o.ReduceAutonomyRatio ? DriftLevel.ReduceAutonomy
            : DriftLevel.RecalibrationRequired;
        return new DriftVerdict(level, ratio, e, _o.BaselineEce, samples, min, judged);
    }

    /// <summary>Every tier's verdict for one prediction under the given calibration.</summary>
    /// <param name="prediction">What VGAC predicted.</param>
    /// <param name="calibration">The calibration in force.</param>
    /// <param name="feasibility">The request against the cluster's inventory (null: no request to judge).</param>
    public GuardReport Evaluate(PredictionFacts prediction, CalibrationFacts calibration, FeasibilityVerdict? feasibility = null)
    {
        var gate = Gate(prediction);
        var drift = Drift(calibration);
        var tiers = _o.EffectiveTiers;
        var verdicts = new TierVerdict[tiers.Count];
        for (var i = 0; i < verdicts.Length; i++)
        {
            var tier = tiers[i];
            var (allowed, rule) = feasibility is { IsInfeasible: true } ? (false, GuardRules.Infeasible) : Decide(tier, prediction, calibration, gate, drift);
            verdicts[i] = new TierVerdict(tier.Tier, tier.Action, allowed, rule, prediction.Probability, tier.Epsilon, drift.EffectiveEce,
                tier.MaxEce, prediction.Confidence, _o.ConfidenceGate, drift.Level, drift.Ratio, drift.SampleCount);
            if (CopilotTelemetry.GuardVerdicts.Enabled)
            {
                // Only with a listener: the tier and the result are boxed into the tags.
                CopilotTelemetry.GuardVerdicts.Add(1, new("vgac.rule", rule), new("vgac.tier", tier.Tier), new("vgac.allowed", allowed));
            }

            LogVerdict(tier.Tier, tier.Action, allowed, rule, prediction.Probability, prediction.Confidence, drift.EffectiveEce, drift.Level);
        }

        if (feasibility is { IsInfeasible: true } && CopilotTelemetry.GuardVerdicts.Enabled)
        {
            CopilotTelemetry.GuardVerdicts.Add(1, new("vgac.rule", feasibility.Rule), new("vgac.tier", 0), new("vgac.allowed", false));
        }

        return new GuardReport(gate, drift, verdicts, feasibility);
    }

    /// <summary>
    /// What the calibration alone lets act now: each tier judged for a prediction that would pass everything else
    /// (certain, confident), by the same rules as <see cref="Evaluate"/>, with no verdict counted or logged (no
    /// prediction was judged). Every place that shows a calibration verdict shows this one.
    /// </summary>
    public CalibrationStanding Standing(CalibrationFacts calibration)
    {
        var drift = Drift(calibration);
        var ideal = PredictionFacts.FromVgac(1, 1, true);
        var gate = new GateVerdict(true, GuardRules.GatePassed, 1, _o.ConfidenceGate, true);
        var tiers = _o.EffectiveTiers.Select(tier =>
        {
            var (allowed, rule) = Decide(tier, ideal, calibration, gate, drift);
            return new TierVerdict(tier.Tier, tier.Action, allowed, rule, 1, tier.Epsilon, drift.EffectiveEce, tier.MaxEce, 1, _o.ConfidenceGate, drift.Level, drift.Ratio, drift.SampleCount);
        }).ToList();
        return new CalibrationStanding(drift, tiers);
    }

    /// <summary>The first rule that fails decides; the order puts the most fundamental reason first.</summary>
    private static (bool Allowed, string Rule) Decide(TierOptions tier, PredictionFacts p, CalibrationFacts c, GateVerdict gate, DriftVerdict drift)
    {
        var ece = drift.EffectiveEce;
        return p switch
        {
            { IsFallback: true } => (false, GuardRules.Fallback),
            _ when !gate.Passed => (false, GuardRules.ConfidenceGate),
            _ when drift.Level == DriftLevel.LearningMode => (false, GuardRules.LearningMode),
            _ when !p.IsCalibrated || !c.IsCalibrated || ece is null => (false, GuardRules.Uncalibrated),
            _ when drift.Level == DriftLevel.RecalibrationRequired => (false, GuardRules.DriftRecalibrationRequired),
            _ when drift.Level == DriftLevel.ReduceAutonomy && tier.Tier > 1 => (false, GuardRules.DriftReduceAutonomy),
            _ when p.Probability < tier.Epsilon => (false, GuardRules.TierThreshold),
            _ when ece > tier.MaxEce => (false, GuardRules.TierEce),
            _ => (true, GuardRules.TierAllowed),
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Guard tier {Tier} ({Action}): {Allowed} by {Rule} (p={Probability}, c={Confidence}, ece={Ece}, drift {Drift})")]
    private partial void LogVerdict(int tier, string action, bool allowed, string rule, double probability, double confidence, double? ece, DriftLevel drift);
}
