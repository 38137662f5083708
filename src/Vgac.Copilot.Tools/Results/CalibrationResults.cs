namespace Vgac.Copilot.Tools.Results;

public sealed record TierBrief(int Tier, string Action, bool Allowed, string Rule, string Reason);

public sealed record CalibrationStatusResult(
    double? ReportedEce,
    double? AuditedEce,
    double? EffectiveEce,
    double? BrierScore,
    int Samples,
    bool RecalibrationNeeded,
    DateTimeOffset? LastRecalibration,
    string Drift,
    double? DriftRatio,
    double BaselineEce,
    string Verdict,
    IReadOnlyList<string> TiersCalibrationAllows,
    string? Error)
{
    /// <summary>The figure drift is judged on (the audit's lower bound, or VGAC's figure if higher).</summary>
    public double? JudgedEce { get; init; }
}

public sealed record LiveAuditResult(
    int Outcomes,
    double? AuditedEce,
    double? AuditedMce,
    double? Brier,
    double? Auroc,
    double? ReportedEce,
    double? EffectiveEce,
    int HighestTierByCalibration,
    IReadOnlyList<string> SlosFailed,
    double? MaxTailGap,
    string Summary)
{
    /// <summary>The one verdict: SLOs, the figure drift is judged on, and which tiers may act and why.</summary>
    public string? Verdict { get; init; }
}

public sealed record TierVerdictResult(bool GatePassed, string Drift, double? EffectiveEce, int HighestTier, IReadOnlyList<TierBrief> Tiers);
