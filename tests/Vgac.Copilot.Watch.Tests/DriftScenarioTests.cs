using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>
/// The loop against the real simulator (over HTTP) while calibration drift is injected and later cleared, with full
/// autonomy so that only the guards decide what runs.
/// </summary>
public sealed class DriftScenarioTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Loop_DriftClimbsThenClears_AutonomousTiersThenTierOneThenNothingThenBack()
    {
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, WarmupHours = 182 }, cancellationToken: Ct);

        // The guards judge VGAC's reported ECE here (self-audit off), so the drift the simulator reports is the drift that counts.
        using var services = WatchHarness.Build(sim.Url, out var audit, new() { ["Watch:Autonomy"] = "full", ["Watch:CalibrationAuditJobs"] = "0" });
        var cycle = services.GetRequiredService<WatchCycle>();
        var seen = new List<CycleReport>();
        async Task<CycleReport> Step(TimeSpan span)
        {
            sim.Simulation.Advance(span);
            var report = await cycle.RunOnceAsync(Ct);
            seen.Add(report);
            output.WriteLine($"{report.Cycle,3} {report.Drift,-22} ece {report.Calibration?.EffectiveEce:0.000} proposed [{string.Join(",", report.Proposals.Select(p => $"{p.Tier}{(p.Allowed ? "" : "x")}"))}] ran [{string.Join(",", Ran(report))}]");
            return report;
        }

        // Drift arrives; the reported ECE only climbs as drifted predictions meet their outcomes.
        sim.Simulation.SetDrift(2.0, autoRefit: false);
        for (var i = 0; i < 120 && !seen.Any(Halted); i++)
        {
            await Step(TimeSpan.FromMinutes(30));
        }

        var autonomous = seen.FindIndex(r => r.Drift is DriftLevel.Stable or DriftLevel.Monitor && Ran(r).Any(t => t >= 2));
        var reduced = seen.FindIndex(r => r.Drift == DriftLevel.ReduceAutonomy && Ran(r).Any());
        var halted = seen.FindIndex(Halted);
        Assert.True(autonomous >= 0, "no tier 2+ action ran while calibration was still stable");
        Assert.True(reduced > autonomous, "no tier 1 action ran under reduce-autonomy after the autonomous phase");
        Assert.True(halted > reduced, "the loop never reached a state where the guards let nothing run");

        // Recovery: drift cleared, refits resumed; wait for calibration to come back, then for a busy hour.
        sim.Simulation.SetDrift(0, autoRefit: true);
        var recoveredAt = -1;
        for (var i = 0; i < 80 && recoveredAt < 0; i++)
        {
            if ((await Step(TimeSpan.FromHours(2))).Drift is DriftLevel.Stable or DriftLevel.Monitor)
            {
                recoveredAt = seen.Count - 1;
            }
        }

        Assert.True(recoveredAt > halted, "calibration never recovered after the drift was cleared");
        for (var i = 0; i < 144 && !seen.Skip(recoveredAt).Any(r => r.Drift is DriftLevel.Stable or DriftLevel.Monitor && Ran(r).Any(t => t >= 2)); i++)
        {
            await Step(TimeSpan.FromMinutes(30));
        }

        Assert.Contains(seen.Skip(recoveredAt), r => r.Drift is DriftLevel.Stable or DriftLevel.Monitor && Ran(r).Any(t => t >= 2));

        // Whatever happened, nothing ran that the cycle's drift level forbids, and the trail agrees on its own.
        foreach (var r in seen)
        {
            var allowed = r.Drift switch
            {
                DriftLevel.Stable or DriftLevel.Monitor => 4,
                DriftLevel.ReduceAutonomy => 1,
                _ => 0,
            };
            Assert.All(Ran(r), tier => Assert.True(tier <= allowed, $"cycle {r.Cycle}: tier {tier} ran under {r.Drift}"));
        }

        var check = await services.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
        Assert.True(check.Executed > 0 && check.Blocked > 0);
    }

    private static IEnumerable<int> Ran(CycleReport r) => r.Executions.Where(e => e.State == ProposalState.Executed).Select(e => e.Tier);

    /// <summary>Confident long-wait predictions were there, and the guards let none of them run.</summary>
    private static bool Halted(CycleReport r) => r.Proposals.Count > 0 && r.Proposals.All(p => !p.Allowed) && !Ran(r).Any();
}
