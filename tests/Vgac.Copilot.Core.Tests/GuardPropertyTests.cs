using CsCheck;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

/// <summary>Thousands of random inputs: no allowed action breaks a rule, and verdicts are monotone.</summary>
public sealed class GuardPropertyTests
{
    private const int Iterations = 20_000;
    private static readonly GuardPolicy Policy = TestGuards.Policy();

    /// <summary>Mostly in-range values, sometimes anything VGAC could send: negative, above 1, NaN, infinite.</summary>
    private static Gen<double> Value(double low, double high) => Gen.Frequency(
        (8, Gen.Double[low, high]),
        (1, Gen.Double[-2, 10]),
        (1, Gen.OneOf(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1, 1.0000001, 42, 7.5)));

    private static readonly Gen<(double P, double C, double Reported, double Audited, int Samples)> Raw =
        Gen.Select(Value(0, 1), Value(0, 1), Value(0, 0.2), Value(0, 0.2), Gen.Frequency((9, Gen.Int[0, 200]), (1, Gen.Int[-5, -1])));

    private static readonly Gen<(PredictionFacts Prediction, CalibrationFacts Calibration)> Inputs =
        Gen.Select(Raw, Gen.Bool, Gen.Int[0, 9], Gen.Bool,
            (raw, calibrated, fallbackRoll, calibrationOk) => (
                fallbackRoll == 0 ? PredictionFacts.Fallback : PredictionFacts.FromVgac(raw.P, raw.C, calibrated),
                new CalibrationFacts(raw.Reported, raw.Audited, raw.Samples, calibrationOk, raw.Samples)));

    [Fact]
    public void OutOfRangeValues_NeverAllowAnythingNorShowAsConfident()
    {
        Gen.Select(Raw, Gen.Bool).Sample(input =>
        {
            var ((p, c, reported, audited, samples), calibrated) = input;
            var report = Policy.Evaluate(PredictionFacts.FromVgac(p, c, calibrated), new CalibrationFacts(reported, audited, samples, true, samples));
            static bool Unit(double v) => double.IsFinite(v) && v is >= 0 and <= 1;
            if (!Unit(p) || !Unit(c))
            {
                Assert.Equal(ShownAs.Fallback, report.ShownAs);
                Assert.Contains("contract violation", report.Gate.Reason, StringComparison.Ordinal);
            }

            if (!Unit(reported) || !Unit(audited) || samples < 0)
            {
                Assert.Equal(DriftLevel.Unknown, report.Drift.Level);
            }

            if (report.HighestTier > 0)
            {
                Assert.True(Unit(p) && Unit(c) && Unit(reported) && Unit(audited) && samples >= 0);
            }

            if (report.MayRecommend)
            {
                Assert.True(Unit(p) && Unit(c));
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void AllowedTier_NeverViolatesAnyRule()
    {
        var o = Policy.Options;
        Inputs.Sample(input =>
        {
            var (p, c) = input;
            var report = Policy.Evaluate(p, c);
            foreach (var t in report.Tiers.Where(t => t.Allowed))
            {
                var ece = c.EffectiveEce(o.LearningModeMinSamples);
                Assert.False(p.IsFallback);
                Assert.True(p.Confidence >= o.ConfidenceGate);
                Assert.True(p.Probability >= t.Epsilon);
                Assert.True(ece is { } e && e <= t.MaxEce);
                Assert.True(p.IsCalibrated && c.IsCalibrated);
                Assert.True(c.Samples >= o.LearningModeMinSamples);
                Assert.True(report.Drift.Level is DriftLevel.Stable or DriftLevel.Monitor || (report.Drift.Level == DriftLevel.ReduceAutonomy && t.Tier == 1));
                Assert.True(report.Gate.Passed);
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void RaisingEce_NeverUnlocksATier()
    {
        Gen.Select(Inputs, Gen.Double[0, 0.2]).Sample(input =>
        {
            var ((p, c), raise) = input;
            if (c.ReportedEce is not (null or >= 0) || c.AuditedEce is not (null or >= 0) || double.IsNaN(raise))
            {
                return; // from a broken figure (unknown calibration) to a valid one is not "raising" it
            }

            var worse = c with { ReportedEce = c.ReportedEce + raise, AuditedEce = c.AuditedEce + raise };
            var before = Policy.Evaluate(p, c).Tiers;
            var after = Policy.Evaluate(p, worse).Tiers;
            for (var i = 0; i < before.Count; i++)
            {
                Assert.False(after[i].Allowed && !before[i].Allowed, $"tier {i + 1} unlocked by raising ECE by {raise}");
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void LoweringConfidence_NeverUnlocksAnything()
    {
        Gen.Select(Inputs, Gen.Double[0, 1]).Sample(input =>
        {
            var ((p, c), cut) = input;
            var lower = p.IsFallback ? p : PredictionFacts.FromVgac(p.Probability, p.Confidence * cut, p.IsCalibrated);
            var before = Policy.Evaluate(p, c);
            var after = Policy.Evaluate(lower, c);
            Assert.False(after.Gate.Passed && !before.Gate.Passed);
            for (var i = 0; i < before.Tiers.Count; i++)
            {
                Assert.False(after.Tiers[i].Allowed && !before.Tiers[i].Allowed, $"tier {i + 1} unlocked by lowering confidence");
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void HigherTierAllowed_ImpliesEveryLowerTierAllowed()
    {
        Inputs.Sample(input =>
        {
            var tiers = Policy.Evaluate(input.Prediction, input.Calibration).Tiers;
            for (var i = 1; i < tiers.Count; i++)
            {
                Assert.False(tiers[i].Allowed && !tiers[i - 1].Allowed);
            }
        }, iter: Iterations, threads: 1);
    }
}
