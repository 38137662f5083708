using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>
/// The default watch (its own audit of the last 1000 finished jobs each cycle) against the real simulator over HTTP:
/// a calm day stays stable, and injected logit-bias drift is flagged within a number of cycles the output reports.
/// </summary>
public sealed class CalibratorDriftTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A calm afternoon and evening (12 simulated hours): the copilot's own audit judges it stable every cycle, where
    /// the plain self-audit it replaces read it as drift.
    /// </summary>
    [Fact]
    public async Task DefaultWatch_CalmSimulator_OwnAuditStaysStable_WherePlainEceCriedWolf()
    {
        var (seen, guards) = await RunAsync(logitBias: 0, cycles: 24);

        Assert.All(seen, r => Assert.Equal(DriftLevel.Stable, AuditAlone(guards, r)));
        Assert.Contains(seen, r => r.Calibration!.AuditedPlainEce / guards.Options.BaselineEce > guards.Options.StableRatio);

        // Proposals carry the conformal wait interval of a confident prediction ("starts within ..."), and only then.
        var proposals = seen.SelectMany(r => r.Proposals).ToList();
        Assert.Contains(proposals, p => p.Prediction.ShownAs == ShownAs.Confident);
        Assert.All(proposals, p => Assert.Equal(p.Prediction.ShownAs == ShownAs.Confident, p.Prediction.WaitInterval is { Level: 0.9 }));
    }

    [Theory]
    [InlineData(2.0, 48)]
    [InlineData(1.0, 48)]
    public async Task DefaultWatch_LogitBiasDrift_OwnAuditFlagsIt_GuardsHoldBack(double logitBias, int withinCycles)
    {
        var (seen, guards) = await RunAsync(logitBias, withinCycles);

        var flagged = seen.FindIndex(r => AuditAlone(guards, r) is not DriftLevel.Stable);
        var reduced = seen.FindIndex(r => AuditAlone(guards, r) is DriftLevel.ReduceAutonomy or DriftLevel.RecalibrationRequired);
        var watchFlagged = seen.FindIndex(r => r.Calibration!.Drift is not DriftLevel.Stable);
        output.WriteLine($"logit bias +{logitBias}: the audit alone leaves stable after {flagged + 1} cycles and reduces autonomy after {reduced + 1}; " +
            $"with VGAC's reported ECE the watch leaves stable after {watchFlagged + 1} (30 simulated minutes a cycle)");
        Assert.True(flagged >= 0, $"drift +{logitBias} not flagged by the audit within {withinCycles} cycles");
        Assert.True(reduced >= flagged, $"drift +{logitBias} never reduced autonomy within {withinCycles} cycles");
        // Whatever the level, the guards let no tier act that it forbids.
        Assert.All(seen.Where(r => r.Calibration!.Drift is DriftLevel.ReduceAutonomy), r => Assert.All(r.Proposals.Where(p => p.Allowed), p => Assert.Equal(1, p.Tier)));
        Assert.All(seen.Where(r => r.Calibration!.Drift is DriftLevel.RecalibrationRequired), r => Assert.DoesNotContain(r.Proposals, p => p.Allowed));
    }

    /// <summary>The drift level the copilot's own audit supports, VGAC's reported figure left out.</summary>
    private static DriftLevel AuditAlone(GuardPolicy guards, CycleReport r) =>
        guards.Drift(new CalibrationFacts(null, r.Calibration!.AuditedEce, 0, IsCalibrated: true, r.Calibration.AuditedSamples, r.Calibration.AuditedEceLow)).Level;

    private async Task<(List<CycleReport> Seen, GuardPolicy Guards)> RunAsync(double logitBias, int cycles)
    {
        // Monday 14:00 of the simulated week: a calm afternoon and evening.
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, WarmupHours = 182 }, cancellationToken: Ct);
        using var services = WatchHarness.Build(sim.Url, out _, new() { ["Watch:Autonomy"] = "full" });
        var cycle = services.GetRequiredService<WatchCycle>();
        if (logitBias != 0)
        {
            sim.Simulation.SetDrift(logitBias, autoRefit: false);
        }

        var seen = new List<CycleReport>();
        for (var i = 0; i < cycles; i++)
        {
            sim.Simulation.Advance(TimeSpan.FromMinutes(30));
            var report = await cycle.RunOnceAsync(Ct);
            var c = report.Calibration!;
            output.WriteLine($"{report.Cycle,3} reported {c.ReportedEce:0.000} plain {c.AuditedPlainEce:0.000} debiased {c.AuditedEce:0.000} [{c.AuditedEceLow:0.000}, {c.AuditedEceHigh:0.000}] {c.Drift}");
            seen.Add(report);
        }

        return (seen, services.GetRequiredService<GuardPolicy>());
    }
}
