using Vgac.Copilot.Core.Guards;
using static Vgac.Copilot.Core.Tests.TestGuards;

namespace Vgac.Copilot.Core.Tests;

public sealed class GuardPolicyTests
{
    private readonly GuardPolicy _policy = Policy();

    [Fact]
    public void ConfidenceGate_BelowThreshold_BlocksRecommendationAndEveryTier()
    {
        var report = _policy.Evaluate(Prediction(0.95, c: 0.59), Calibrated(0.01));

        Assert.False(report.Gate.Passed);
        Assert.False(report.MayRecommend);
        Assert.Equal(GuardRules.ConfidenceGate, report.Gate.Rule);
        Assert.All(report.Tiers, t => Assert.Equal(GuardRules.ConfidenceGate, t.Rule));
        Assert.Equal(0, report.HighestTier);
    }

    [Fact]
    public void ConfidenceGate_ExactlyAtThreshold_Passes()
    {
        Assert.True(_policy.Gate(Prediction(0.5, c: 0.6)).Passed);
    }

    [Fact]
    public void Fallback_AllowsNothingAndSaysWhy()
    {
        var report = _policy.Evaluate(PredictionFacts.Fallback, Calibrated(0.01));

        Assert.False(report.Gate.Passed);
        Assert.All(report.Tiers, t => Assert.Equal(GuardRules.Fallback, t.Rule));
        Assert.Contains("fallback", report.Tiers[0].Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(0.29, 0)]
    [InlineData(0.30, 1)]
    [InlineData(0.50, 2)]
    [InlineData(0.70, 3)]
    [InlineData(0.90, 4)]
    [InlineData(1.00, 4)]
    public void Tiers_WellCalibrated_HighestTierFollowsEpsilon(double p, int expected)
    {
        var report = _policy.Evaluate(Prediction(p), Calibrated(0.018));

        Assert.Equal(expected, report.HighestTier);
    }

    [Theory]
    [InlineData(0.020, 4)] // stable (1.1x), ECE within every prerequisite
    [InlineData(0.031, 3)] // monitor (1.7x), above tier 4's 0.03
    [InlineData(0.040, 1)] // 2.2x: reduce autonomy, tier 1 only
    [InlineData(0.091, 0)] // 5.06x: recalibration required
    public void Tiers_RisingEce_LoseTiers(double ece, int expected)
    {
        var report = _policy.Evaluate(Prediction(0.95), Calibrated(ece));

        Assert.Equal(expected, report.HighestTier);
    }

    [Fact]
    public void Tier_EceAbovePrerequisite_CitesTierEce()
    {
        var report = _policy.Evaluate(Prediction(0.95), Calibrated(0.032));

        var tier4 = report.Tiers[3];
        Assert.False(tier4.Allowed);
        Assert.Equal(GuardRules.TierEce, tier4.Rule);
        Assert.Equal(0.032, tier4.EffectiveEce);
        Assert.Equal(0.03, tier4.MaxEce);
    }

    [Theory]
    [InlineData(0.018, DriftLevel.Stable)]
    [InlineData(0.027, DriftLevel.Stable)] // exactly 1.5x
    [InlineData(0.028, DriftLevel.Monitor)]
    [InlineData(0.036, DriftLevel.Monitor)] // exactly 2x
    [InlineData(0.037, DriftLevel.ReduceAutonomy)]
    [InlineData(0.090, DriftLevel.ReduceAutonomy)] // exactly 5x
    [InlineData(0.0901, DriftLevel.RecalibrationRequired)]
    public void Drift_RatioToBaseline_MapsToLevel(double ece, DriftLevel level)
    {
        var drift = _policy.Drift(Calibrated(ece));

        Assert.Equal(level, drift.Level);
        Assert.Equal(ece / 0.018, drift.Ratio!.Value, 9);
    }

    [Theory]
    [InlineData(0.012, DriftLevel.Stable)]
    [InlineData(0.030, DriftLevel.Monitor)]
    [InlineData(0.040, DriftLevel.ReduceAutonomy)]
    public void Drift_AuditWithAnInterval_JudgedOnItsLowerEnd_TiersHeldToItsEstimate(double low, DriftLevel level)
    {
        var report = _policy.Evaluate(Prediction(0.95), new CalibrationFacts(null, 0.045, 0, IsCalibrated: true, AuditedSamples: 1000, AuditedEceLow: low));

        Assert.Equal(level, report.Drift.Level);
        Assert.Equal(low / 0.018, report.Drift.Ratio!.Value, 9);
        Assert.Equal(0.045, report.Drift.EffectiveEce);
        // Tier 3 needs ECE <= 0.05, tier 4 <= 0.03: the estimate decides, whatever the lower end.
        Assert.Equal(level == DriftLevel.Stable || level == DriftLevel.Monitor ? GuardRules.TierAllowed : GuardRules.DriftReduceAutonomy, report.Tiers[2].Rule);
        Assert.Equal(level == DriftLevel.ReduceAutonomy ? GuardRules.DriftReduceAutonomy : GuardRules.TierEce, report.Tiers[3].Rule);
        Assert.Contains(level == DriftLevel.Stable ? "judged on 0.012 (the audit's lower bound, or VGAC's figure if higher), 0.7x" : "lower bound", report.Drift.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Drift_ReportedWorseThanTheAuditsLowerEnd_ReportedDecides()
    {
        var drift = _policy.Drift(new CalibrationFacts(0.05, 0.03, 2000, IsCalibrated: true, AuditedSamples: 1000, AuditedEceLow: 0.01));

        Assert.Equal(DriftLevel.ReduceAutonomy, drift.Level);
        Assert.Equal(0.05, drift.JudgedEce);
    }

    [Fact]
    public void Drift_BrokenLowerEnd_Unknown()
    {
        var drift = _policy.Drift(new CalibrationFacts(null, 0.03, 0, IsCalibrated: true, AuditedSamples: 1000, AuditedEceLow: double.NaN));

        Assert.Equal(DriftLevel.Unknown, drift.Level);
    }

    [Fact]
    public void Drift_FewerThan50Outcomes_IsLearningModeAndBlocksActions()
    {
        var report = _policy.Evaluate(Prediction(0.95), Calibrated(0.01, samples: 49));

        Assert.Equal(DriftLevel.LearningMode, report.Drift.Level);
        Assert.All(report.Tiers, t => Assert.Equal(GuardRules.LearningMode, t.Rule));
    }

    [Fact]
    public void ReduceAutonomy_OnlyTierOneMayAct()
    {
        var report = _policy.Evaluate(Prediction(0.95), Calibrated(0.05));

        Assert.True(report.Tiers[0].Allowed);
        Assert.All(report.Tiers.Skip(1), t => Assert.Equal(GuardRules.DriftReduceAutonomy, t.Rule));
    }

    [Fact]
    public void IsCalibratedFalse_TreatedAsUncalibrated()
    {
        var onPrediction = _policy.Evaluate(Prediction(0.95, calibrated: false), Calibrated(0.01));
        var onCalibration = _policy.Evaluate(Prediction(0.95), new CalibrationFacts(0.01, null, 1000, IsCalibrated: false));

        Assert.All(onPrediction.Tiers.Concat(onCalibration.Tiers), t => Assert.Equal(GuardRules.Uncalibrated, t.Rule));
    }

    [Fact]
    public void UnknownCalibration_NoTierQualifies()
    {
        var report = _policy.Evaluate(Prediction(0.95), CalibrationFacts.Unknown);

        Assert.Equal(DriftLevel.Unknown, report.Drift.Level);
        Assert.Equal(0, report.HighestTier);
    }

    [Theory]
    [InlineData(0.02, 0.08, 60, 0.08)]  // audit is worse and rests on enough outcomes: it counts
    [InlineData(0.02, 0.08, 49, 0.02)]  // too few audited outcomes: reported only
    [InlineData(0.05, 0.01, 500, 0.05)] // reported is worse
    public void EffectiveEce_IsTheWorseOfReportedAndAudited(double reported, double audited, int auditedSamples, double expected)
    {
        var facts = new CalibrationFacts(reported, audited, 1000, true, auditedSamples);

        Assert.Equal(expected, facts.EffectiveEce(50));
    }

    [Fact]
    public void Verdict_CarriesInputsAndReadableReason()
    {
        var tier = _policy.Evaluate(Prediction(0.72, c: 0.81), Calibrated(0.02)).Tiers[2];

        Assert.True(tier.Allowed);
        Assert.Equal((0.72, 0.81, 0.7, 0.05, 0.02), (tier.Probability, tier.Confidence, tier.Epsilon, tier.MaxEce, tier.EffectiveEce!.Value));
        Assert.Equal("suggest", tier.Action);
        Assert.EndsWith("suggest allowed.", tier.Reason, StringComparison.Ordinal);
    }
}
