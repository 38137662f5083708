using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Api;

namespace Vgac.Copilot.Simulator.Tests;

public sealed class PredictionModelTests
{
    [Fact]
    public void DefaultSeed_ModelDiscriminatesAndIsotonicLowersEce()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 182 });

        var report = sim.ModelReport!;

        Assert.True(report.AurocRaw > 0.7, $"AUROC {report.AurocRaw}");
        Assert.True(report.AurocCalibrated > 0.7, $"AUROC {report.AurocCalibrated}");
        Assert.True(report.EceCalibrated < report.EceRaw, $"ECE raw {report.EceRaw} vs calibrated {report.EceCalibrated}");
        Assert.InRange(report.EceCalibrated, 0, 0.08);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public void OtherSeeds_IsotonicStillLowersEce(int seed)
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, Seed = seed });

        var report = sim.ModelReport!;

        Assert.True(report.AurocCalibrated > 0.65, $"AUROC {report.AurocCalibrated}");
        Assert.True(report.EceCalibrated < report.EceRaw, $"ECE raw {report.EceRaw} vs calibrated {report.EceCalibrated}");
    }

    [Fact]
    public void SchedulerSwitchToSlurm_RaisesReportedEce()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 182 });
        var before = sim.Read(PredictionViews.Calibration);

        sim.SetDrift(0, autoRefit: false); // a model that is not recalibrated after the move
        sim.SwitchScheduler(SchedulerType.Slurm);
        sim.Advance(TimeSpan.FromHours(72));
        var after = sim.Read(PredictionViews.Calibration);

        Assert.True(after.Ece > 2 * before.Ece, $"ECE {before.Ece} -> {after.Ece}");
        Assert.True(after.RecalibrationNeeded, $"ECE {before.Ece} -> {after.Ece}");
        Assert.False(before.RecalibrationNeeded);
    }

    [Fact]
    public void Refit_AfterSchedulerSwitch_RecoversCalibration()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 182 });
        sim.SetDrift(0, autoRefit: false);
        sim.SwitchScheduler(SchedulerType.Slurm);
        sim.Advance(TimeSpan.FromHours(48));
        var drifted = sim.Read(PredictionViews.Calibration).Ece;

        sim.SetDrift(0, autoRefit: true);
        sim.Advance(TimeSpan.FromHours(72));

        Assert.True(sim.Read(PredictionViews.Calibration).Ece < drifted);
    }

    [Fact]
    public void LogitBias_InjectedDrift_RaisesEceAndClearingItRestores()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 182 });
        var baseline = sim.Read(PredictionViews.Calibration).Ece;

        sim.SetDrift(2.0, autoRefit: null);
        sim.Advance(TimeSpan.FromHours(48));
        var drifted = sim.Read(PredictionViews.Calibration).Ece;
        sim.SetDrift(0, autoRefit: null);
        sim.Advance(TimeSpan.FromHours(72));
        var recovered = sim.Read(PredictionViews.Calibration).Ece;

        Assert.True(drifted > 3 * baseline, $"{baseline} -> {drifted}");
        Assert.True(recovered < drifted / 2, $"{drifted} -> {recovered}");
    }

    [Fact]
    public void History_CarriesSubmitPredictionAndOutcome()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 182 });

        var history = sim.Read(s => JobViews.History(s, 500, null, null, null));

        var withPrediction = history.Jobs.Where(j => j.PredictionAtSubmit is not null && j.StartTime is not null).ToList();
        Assert.True(withPrediction.Count > 400);
        Assert.All(withPrediction, j =>
        {
            Assert.InRange(j.PredictionAtSubmit!.ProbabilityLongWait, 0, 1);
            Assert.Equal(j.WaitSeconds > sim.Options.LongWaitThresholdSeconds, j.LongWait);
        });
    }
}
