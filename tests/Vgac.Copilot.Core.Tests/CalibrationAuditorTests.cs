using System.Text.Json;
using Vgac.Copilot.Calibration;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Core.Tests;

public sealed class CalibrationAuditorTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private readonly CalibrationAuditor _auditor = new(TestGuards.Policy());

    [Fact]
    public void Audit_EksSample_NoTierAndPublishedFigures()
    {
        var (p, y) = ProbabilityCsv.ReadPredictions(TestPaths.DataFile("vgac-samples", "eks_dec_sample.csv"), "raw_score", "label_long_wait");

        var audit = _auditor.Audit(p, y);

        Assert.Equal(0, audit.HighestTier);
        Assert.Equal(0.333851, audit.Metrics.Ece, 1e-6);
        Assert.All(audit.Tiers, t => Assert.False(t.Qualified));
        Assert.Contains(audit.Slo, s => s.Name == "ece" && s.Met == false);
        Assert.StartsWith("SLOs failed (ece 0.334 > 0.050", audit.Verdict, StringComparison.Ordinal);
        Assert.Contains("No tier may act", audit.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_Json_HasTheDocumentedSnakeCaseFields()
    {
        var (p, y) = ProbabilityCsv.ReadPredictions(TestPaths.DataFile("vgac-samples", "slurm_sample.csv"), "raw_score", "label_long_wait");

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(_auditor.Audit(p, y), CoreJsonContext.Default.CalibrationAudit));

        var metrics = json.RootElement.GetProperty("metrics");
        foreach (var field in new[] { "n", "positive_rate", "ece", "mce", "brier", "brier_reliability", "brier_resolution", "brier_uncertainty", "auroc", "auprc", "reliability_curve" })
        {
            Assert.True(metrics.TryGetProperty(field, out _), $"missing metrics.{field}");
        }

        foreach (var field in new[] { "highest_tier", "tiers", "slo", "tail_gaps", "drift", "debiased", "verdict" })
        {
            Assert.True(json.RootElement.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.Equal(555, metrics.GetProperty("n").GetInt32());
        Assert.Equal(0.261733, metrics.GetProperty("ece").GetDouble(), 1e-6);
        Assert.Equal(0, json.RootElement.GetProperty("highest_tier").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("tiers").GetArrayLength());
        var debiased = json.RootElement.GetProperty("debiased");
        foreach (var field in new[] { "plain", "estimate", "low", "high", "level", "samples", "bins", "block_length", "replicates", "method" })
        {
            Assert.True(debiased.TryGetProperty(field, out _), $"missing debiased.{field}");
        }

        Assert.Equal(0.261733, debiased.GetProperty("plain").GetDouble(), 1e-6);
    }

    /// <summary>
    /// The decision rule's false alarm rate: on perfectly calibrated outcomes (independent, and in correlated episodes),
    /// 100 seeds at each sample size, at most 5 % of audits leave "stable"; plain ECE against the same baseline would
    /// alarm on most of them at small n.
    /// </summary>
    [Theory]
    [InlineData(200, false)]
    [InlineData(1000, false)]
    [InlineData(5000, false)]
    [InlineData(200, true)]
    [InlineData(1000, true)]
    [InlineData(5000, true)]
    public void Audit_PerfectlyCalibrated_AtMostFivePercentOfAuditsLeaveStable(int n, bool correlated)
    {
        var plainAlarms = 0;
        var alarms = 0;
        for (var seed = 0; seed < 100; seed++)
        {
            var (p, y) = SyntheticOutcomes.Draw(n, seed * 7919 + n, correlated: correlated);
            var audit = _auditor.Audit(p, y);
            alarms += audit.Drift.Level == Vgac.Copilot.Core.Guards.DriftLevel.Stable ? 0 : 1;
            plainAlarms += audit.Metrics.Ece / 0.018 > 1.5 ? 1 : 0;
        }

        _output.WriteLine($"n={n} correlated={correlated}: {alarms}/100 audits left stable (plain ECE would: {plainAlarms}/100)");
        Assert.True(alarms <= 5, $"{alarms} of 100 audits of a perfectly calibrated model left stable");
    }

    /// <summary>Power: a logit bias of +1 (ECE about 0.19) is flagged by nearly every audit, even at n = 200.</summary>
    [Theory]
    [InlineData(200)]
    [InlineData(1000)]
    public void Audit_LogitBiasOne_FlaggedByNearlyEveryAudit(int n)
    {
        var flagged = Enumerable.Range(0, 50).Count(seed =>
        {
            var (p, y) = SyntheticOutcomes.Draw(n, seed, logitBias: 1, correlated: true);
            return _auditor.Audit(p, y).Drift.Level is Vgac.Copilot.Core.Guards.DriftLevel.ReduceAutonomy or Vgac.Copilot.Core.Guards.DriftLevel.RecalibrationRequired;
        });

        Assert.True(flagged >= 48, $"only {flagged} of 50 audits flagged a +1 logit bias");
    }

    [Fact]
    public void Audit_WellCalibratedSynthetic_QualifiesForTiersByEce()
    {
        var random = new Random(3);
        var p = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble()).ToArray();
        var y = p.Select(v => random.NextDouble() < v ? 1 : 0).ToArray();

        var audit = _auditor.Audit(p, y);

        Assert.True(audit.Metrics.Ece < 0.02, $"ECE {audit.Metrics.Ece}");
        Assert.Equal(9, audit.TemporalEce.Count); // windows of 4,000 every 2,000 over 20,000 samples
        Assert.All(audit.TemporalEce, w => Assert.True(w.Ece < 0.05));
        Assert.Equal(4, audit.HighestTier);
        Assert.All(audit.TailGaps, t => Assert.True(t.Gap < 0.035, $"gap {t.Gap} at {t.Threshold}"));
    }

    [Fact]
    public void Audit_FewSamples_IsLearningModeAndQualifiesNothing()
    {
        var audit = _auditor.Audit([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], bins: 2);

        Assert.Equal(0, audit.HighestTier);
        Assert.Equal(Vgac.Copilot.Core.Guards.DriftLevel.LearningMode, audit.Drift.Level);
    }

    [Fact]
    public void TailGaps_AreMeanPredictedMinusObservedAboveEachThreshold()
    {
        var gaps = CalibrationExtras.TailGaps([0.55, 0.65, 0.95, 0.2], [1, 0, 1, 1], [0.5, 0.9]);

        Assert.Equal(3, gaps[0].Count);
        Assert.Equal(Math.Abs((0.55 + 0.65 + 0.95) / 3 - 2.0 / 3), gaps[0].Gap, 12);
        Assert.Equal(0.05, gaps[1].Gap, 12);
    }

    [Fact]
    public void Psi_SameDistribution_NearZero_ShiftedDistribution_AboveLimit()
    {
        var random = new Random(9);
        var reference = Enumerable.Range(0, 5000).Select(_ => random.NextDouble()).ToArray();
        var same = Enumerable.Range(0, 5000).Select(_ => random.NextDouble()).ToArray();
        var shifted = Enumerable.Range(0, 5000).Select(_ => Math.Min(1, random.NextDouble() * 0.6 + 0.4)).ToArray();

        Assert.InRange(CalibrationExtras.Psi(reference, same), 0, 0.01);
        Assert.True(CalibrationExtras.Psi(reference, shifted) > 0.1);
    }

    [Fact]
    public void Psi_HandComputed_MatchesDefinition()
    {
        // Reference deciles of 1..10 with linear interpolation: 1.9, 2.8, ..., 9.1; live all in the top bin.
        double[] reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        double[] live = [10, 10];

        var psi = CalibrationExtras.Psi(reference, live);

        var r = 2.0 / 20;                 // (1 + 1) / (10 + 10) in every bin
        var top = (2 + 1.0) / (2 + 10);   // the live bin holding both values
        var other = 1.0 / 12;
        var expected = (top - r) * Math.Log(top / r) + 9 * (other - r) * Math.Log(other / r);
        Assert.Equal(expected, psi, 12);
    }

    [Fact]
    public void SlidingEce_OneValuePerWindow()
    {
        var p = Enumerable.Repeat(0.5, 100).ToArray();
        var y = Enumerable.Range(0, 100).Select(i => i < 50 ? 0 : 1).ToArray();

        var windows = CalibrationExtras.SlidingEce(p, y, window: 50, step: 25, bins: 5);

        Assert.Equal([0, 25, 50], windows.Select(w => w.Start));
        Assert.Equal(0.5, windows[0].Ece, 12);
        // Ties keep input order, so the middle window's 5 bins hold 0s, 0s, mixed, 1s, 1s: 4 of them off by 0.5.
        Assert.Equal(0.4, windows[1].Ece, 12);
        Assert.Equal(1.0, windows[2].PositiveRate, 12);
    }
}
