using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>A VGAC that fails half its calls and garbles a fifth: each agent keeps what it got, nothing acts on what it did not.</summary>
public sealed class FlakyVgacTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cycles_HalfTheCallsFailAndAFifthAreMalformed_AgentsDegradeOneByOneAndNothingActsOnMissingData()
    {
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);
        using var services = WatchHarness.Build(sim.Url, out var audit, new()
        {
            ["Watch:Autonomy"] = "full",
            ["Watch:CalibrationAuditJobs"] = "0",
            ["Vgac:MaxRetries"] = "2",
            ["Vgac:RetryBaseDelaySeconds"] = "0.01",
            ["Vgac:CircuitBreakerMinimumThroughput"] = "1000",
        });
        sim.Simulation.Faults = new FaultOptions { ErrorRate = 0.5, MalformedRate = 0.2 };
        var cycle = services.GetRequiredService<WatchCycle>();

        var reports = new List<CycleReport>();
        for (var i = 0; i < 10; i++)
        {
            sim.Simulation.Advance(TimeSpan.FromMinutes(10));
            var report = await cycle.RunOnceAsync(Ct);
            reports.Add(report);
            output.WriteLine($"{report.Cycle}: observation {(report.Observation is null ? "-" : "ok")}, calibration {report.Calibration?.Drift.ToString() ?? "-"}, predicted {report.Predicted}, proposals {report.Proposals.Count}, ran {report.Executions.Count}; {report.Outage}");
        }

        var events = await audit.QueryAsync(cancellationToken: Ct);
        var recorded = events.GroupBy(e => e.Cycle).ToDictionary(g => g.Key, g => g.Select(e => e.Kind).ToList());

        // Every cycle is in the trail, and what one agent got is kept even when another failed in the same cycle.
        Assert.Equal(reports.Select(r => r.Cycle), recorded.Keys.Order());
        Assert.Contains(reports, r => (r.Observation is not null || r.Calibration is not null) && r.Outage is not null);
        Assert.True(reports.Count(r => r.Observation is not null || r.Calibration is not null) >= 3,
            "expected most cycles to keep something of what they saw");

        // Nothing is proposed in a cycle whose calibration or predictions did not arrive.
        Assert.All(reports.Where(r => r.Calibration is null || r.Calibration.Drift == Core.Guards.DriftLevel.Unknown), r => Assert.Empty(r.Proposals));
        var check = await services.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
    }
}
