using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

/// <summary>
/// One calibration story: the SLOs, the figure drift is judged on and the tiers' ECE limits reconciled in one line
/// that says what may act now and why, by the guards' own rules.
/// </summary>
public sealed class CalibrationStandingTests
{
    private static readonly GuardPolicy Guards = TestGuards.Policy();

    private static readonly IReadOnlyList<SloCheck> FailedSlos =
    [
        new("ece", 0.0533, 0.05, false), new("mce", 0.2856, 0.1, false), new("max_tail_gap", 0.01, 0.035, true), new("psi", null, 0.1, null),
    ];

    [Fact]
    public void Standing_SlosFailedDriftStable_SaysTheSlosHoldNothingBackAndWhichTiersMayAct()
    {
        // Debiased ECE 0.049, its lower bound 0.023 below VGAC's 0.026: drift is judged on 0.026.
        var standing = Guards.Standing(new CalibrationFacts(0.026, 0.049, 2000, true, 1000, 0.023));

        Assert.Equal(
            "SLOs failed (ece 0.053 > 0.050; mce 0.286 > 0.100): reported, they hold nothing back. Drift judged on ECE 0.026 (1.4x the 0.018 baseline): stable. "
            + "Tiers 1-3 (annotate, warn, suggest) may act; tier 4 needs ECE ≤ 0.030, it is 0.049.",
            standing.Line(FailedSlos));
        Assert.Equal(3, standing.HighestTier);
    }

    [Fact]
    public void Standing_ReduceAutonomy_OnlyTierOneAndTheRestHeldBackByDrift()
    {
        var standing = Guards.Standing(new CalibrationFacts(0.05, 0.051, 2000, true, 1000, 0.045));

        Assert.Equal(
            "Drift judged on ECE 0.050 (2.8x the 0.018 baseline): reduce autonomy. Only tier 1 (annotate) may act; tiers 2-4 held back by drift (reduce autonomy).",
            standing.Line());
        Assert.Equal(1, standing.HighestTier);
    }

    [Fact]
    public void Standing_AgreesWithEvaluate_ForACertainConfidentPrediction()
    {
        foreach (var facts in new[]
                 {
                     new CalibrationFacts(0.02, null, 2000, true), new CalibrationFacts(0.05, 0.06, 2000, true, 1000, 0.05),
                     new CalibrationFacts(0.2, null, 2000, true), new CalibrationFacts(0.02, null, 10, true), new CalibrationFacts(0.02, null, 2000, false),
                 })
        {
            var evaluated = Guards.Evaluate(PredictionFacts.FromVgac(1, 1, true), facts);

            Assert.Equal(evaluated.Tiers.Select(t => (t.Tier, t.Allowed, t.Rule)), Guards.Standing(facts).Tiers.Select(t => (t.Tier, t.Allowed, t.Rule)));
        }
    }

    [Fact]
    public void Audit_DriftHoldsTierTwoBack_TheTiersSaySoToo()
    {
        // Outcomes 0.06 above the predictions: ECE about 0.06 is within tier 2's 0.07 limit, but drift (judged on the
        // interval's lower end, well over 2x the baseline) reduces autonomy; the tiers and the verdict say one thing.
        var random = new Random(7);
        var n = 4000;
        var p = new double[n];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = 0.1 + (random.NextDouble() * 0.6);
            y[i] = random.NextDouble() < p[i] + 0.06 ? 1 : 0;
        }

        var audit = new CalibrationAuditor(Guards).Audit(p, y);

        Assert.Equal(DriftLevel.ReduceAutonomy, audit.Drift.Level);
        Assert.True(audit.Debiased.Estimate <= 0.07, $"ECE {audit.Debiased.Estimate} should be within tier 2's limit");
        Assert.Equal([1], audit.Tiers.Where(t => t.Qualified).Select(t => t.Tier));
        Assert.Equal(1, audit.HighestTier);
        Assert.Equal("held back by drift (reduce autonomy)", audit.Tiers[1].Reason);
        Assert.Contains("Only tier 1 (annotate) may act", audit.Verdict, StringComparison.Ordinal);
    }
}
