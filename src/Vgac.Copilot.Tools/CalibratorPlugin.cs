using System.ComponentModel;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools;

/// <summary>Calibrator: can the model's probabilities be trusted, and which actions does that allow?</summary>
public sealed class CalibratorPlugin(CalibrationProvider calibration, LiveAuditor auditor, GuardPolicy guards)
{
    [VgacTool(ToolNames.CalibratorStatus, Title = "Calibration status")]
    [Description("Is the model still calibrated? ECE reported and audited, drift vs baseline, tiers it allows.")]
    public async Task<CalibrationStatusResult> StatusAsync(CancellationToken cancellationToken = default)
    {
        var status = await calibration.GetAsync(cancellationToken).ConfigureAwait(false);
        var standing = guards.Standing(status.ToFacts());
        var drift = standing.Drift;
        return new CalibrationStatusResult(
            status.ReportedEce, status.AuditedEce, drift.EffectiveEce, status.ReportedBrier, drift.SampleCount, status.RecalibrationNeeded, status.LastRecalibration,
            drift.Level.Wire(), drift.Ratio is { } r ? Math.Round(r, 2) : null, drift.BaselineEce, standing.Line(),
            [.. standing.MayAct.Select(t => t.Action)], status.Error)
        {
            JudgedEce = drift.JudgedEce is { } judged ? Math.Round(judged, 4) : null,
        };
    }

    [VgacTool(ToolNames.CalibratorLiveAudit, Title = "Live calibration audit")]
    [Description("Audit the model on recent outcomes; compare with the ECE VGAC reports.")]
    public async Task<LiveAuditResult> LiveAuditAsync(CancellationToken cancellationToken = default)
    {
        var live = await auditor.AuditAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var a = live.Audit;
        // The tiers as the guards judge them now (VGAC's figure and this audit together), with the one verdict line.
        var standing = guards.Standing(live.Reported.ToFacts());
        return new LiveAuditResult(
            live.OutcomesUsed, Round(a?.Metrics.Ece), Round(a?.Metrics.Mce), Round(a?.Metrics.Brier), Round(a?.Metrics.Auroc), live.Reported.ReportedEce, Round(live.EffectiveEce),
            standing.HighestTier, a is null ? [] : [.. a.Slo.Where(s => s.Met == false).Select(s => s.Name)],
            Round(a?.TailGaps.Where(t => t.Count > 0).Select(t => t.Gap).DefaultIfEmpty(0).Max()), live.Summary)
        {
            Verdict = standing.Line(a?.Slo),
        };
    }

    [VgacTool(ToolNames.CalibratorTierVerdict, Title = "Tier verdict")]
    [Description("Which tiers a prediction with this probability and confidence may trigger now, and why not.")]
    public async Task<TierVerdictResult> TierVerdictAsync(
        [Description("P(long wait), 0-1.")] double probability,
        [Description("Model confidence, 0-1.")] double confidence,
        CancellationToken cancellationToken = default)
    {
        ToolArgs.Probability(probability, "probability");
        ToolArgs.Probability(confidence, "confidence");
        var status = await calibration.GetAsync(cancellationToken).ConfigureAwait(false);
        var report = guards.Evaluate(PredictionFacts.FromVgac(probability, confidence, true), status.ToFacts());
        return new TierVerdictResult(report.Gate.Passed, report.Drift.Level.ToString(), Round(report.Drift.EffectiveEce), report.HighestTier,
            [.. report.Tiers.Select(t => new TierBrief(t.Tier, t.Action, t.Allowed, t.Rule, t.Reason))]);
    }

    private static double? Round(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 4) : null;
}
