using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Tools.Results;

/// <summary>The first tier that is blocked, and why.</summary>
public sealed record Blocked(int Tier, string Rule, string Reason);

/// <summary>Calibration as the guards saw it for this answer.</summary>
public sealed record CalibrationBrief(double? Ece, string Drift, double? DriftRatio, int Samples, bool RecalibrationNeeded, string? Error)
{
    /// <summary>The figure the drift level was judged on (the audit's lower bound, or VGAC's figure if higher): show it beside <see cref="Drift"/>.</summary>
    public double? JudgedEce { get; init; }
}

/// <summary>
/// A prediction with its confidence, gate, tiers and calibration beside the numbers, so no consumer can show the
/// probability without its verdicts. <c>shown_as</c> is <c>confident</c>, <c>low_confidence</c>, <c>fallback</c>,
/// <c>recalibration_required</c> or <c>infeasible</c> (the request exceeds what the cluster has: <c>feasibility</c>
/// names the limit, and there is no wait estimate).
/// </summary>
public sealed record PredictionBrief(
    ShownAs ShownAs,
    double ProbabilityLongWait,
    double Confidence,
    string? WaitCategory,
    double? EstimatedWaitSeconds,
    string? Recommendation,
    string? PriorityClass,
    int HighestTier,
    IReadOnlyList<string> ActionsAllowed,
    Blocked? Blocked,
    CalibrationBrief Calibration,
    string? Error,
    IReadOnlyDictionary<string, object>? Spec = null,
    Calibration.WaitInterval? WaitInterval = null,
    string? WaitIntervalReason = null,
    string? Feasibility = null)
{
    /// <summary>
    /// The brief of a guarded result, for a described job or a job by id: with its conformal wait interval (or why it
    /// has none) when there is one. An infeasible request has no wait estimate to show.
    /// </summary>
    public static PredictionBrief From(GuardedEstimate p, IReadOnlyDictionary<string, object>? spec = null)
    {
        var guards = p.Guards;
        var blocked = guards.Tiers.FirstOrDefault(t => !t.Allowed);
        var infeasible = guards.ShownAs == ShownAs.Infeasible;
        return new PredictionBrief(
            guards.ShownAs,
            Math.Round(p.Probability, 3),
            Math.Round(p.Confidence, 3),
            infeasible ? null : p.WaitCategory,
            !infeasible && p.EstimatedWaitSeconds is { } e ? Math.Round(e) : null,
            p.Recommendation,
            p.Policy?.PriorityClass.Wire(),
            guards.HighestTier,
            [.. guards.Tiers.Where(t => t.Allowed).Select(t => t.Action)],
            blocked is null ? null : new Blocked(blocked.Tier, blocked.Rule, blocked.Reason),
            CalibrationOf(guards, p.Calibration),
            p.Error,
            spec,
            p.Wait?.Interval,
            p.Wait?.Reason)
        {
            Feasibility = guards.Feasibility is { Judged: true } f ? f.Reason : null,
        };
    }

    public static CalibrationBrief CalibrationOf(GuardReport guards, Core.Calibration.CalibrationStatus c) => new(
        guards.Drift.EffectiveEce is { } e ? Math.Round(e, 4) : null,
        guards.Drift.Level.Wire(),
        guards.Drift.Ratio is { } r ? Math.Round(r, 2) : null,
        guards.Drift.SampleCount,
        c.RecalibrationNeeded,
        c.Error)
    {
        JudgedEce = guards.Drift.JudgedEce is { } judged ? Math.Round(judged, 4) : null,
    };
}

public sealed record PredictionListResult(IReadOnlyList<PredictionBrief> Predictions, double RoundTripMs)
{
    /// <summary>A what-if's verdict on its own variants: whether the model tells them apart, and which starts soonest.</summary>
    public WhatIfComparison? Comparison { get; init; }
}

public sealed record ServiceStatsResult(string Status, bool ModelLoaded, string ModelVersion, long PredictionsTotal, double LatencyAvgUs, double? LatencyP99Us, bool IsCalibrated);

public sealed record PredictorStateResult(int GpusTotal, int GpusAvailable, int JobsPending, int GpuJobsPending, int JobsRunning, double GpuUtilization, double PendingRatio, double BifurcationRatio, double WaitAvgLastHourSeconds, double WaitP95LastHourSeconds);

public sealed record BifurcationResult(double BifurcationRatio, bool IsBifurcated, double FastStartFraction, double LongWaitFraction, double LongWaitThresholdSeconds, double FastMedianWaitSeconds, double SlowMedianWaitSeconds, int Samples);
