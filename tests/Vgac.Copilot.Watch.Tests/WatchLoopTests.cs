using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Tests;

public sealed class WatchLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Loop_VgacDown_BacksOffDoublingUpToTheCapThenRecovers()
    {
        var vgac = new ScriptedVgac();
        vgac.Failing.Add("/api/cluster/summary");
        await using var server = await vgac.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out _, new() { ["Watch:IntervalSeconds"] = "0.01", ["Watch:MaxBackoffSeconds"] = "0.05" });
        var delays = new List<(bool Outage, TimeSpan Delay, bool BackingOff)>();

        var ran = await services.GetRequiredService<WatchLoop>().RunAsync(
            (report, next) =>
            {
                delays.Add((report.Outage is not null, next.Delay, next.BackingOff));
                if (delays.Count == 4)
                {
                    vgac.Failing.Clear();
                }

                return Task.CompletedTask;
            },
            beforeCycle: null,
            maxCycles: 5,
            Ct);

        Assert.Equal(5, ran);
        Assert.Equal([true, true, true, true, false], delays.Select(d => d.Outage));
        Assert.Equal([0.02, 0.04, 0.05, 0.05], delays.Take(4).Select(d => Math.Round(d.Delay.TotalSeconds, 3)));
        Assert.False(delays[4].BackingOff);
        Assert.True(delays[4].Delay <= TimeSpan.FromSeconds(0.01));
    }

    [Fact]
    public async Task Loop_StopRequestedDuringACycle_FinishesThatCycleAndStops()
    {
        await using var server = await new ScriptedVgac().StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out var audit, new() { ["Watch:IntervalSeconds"] = "60" });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<CycleReport>();

        var ran = await services.GetRequiredService<WatchLoop>().RunAsync(
            (report, _) =>
            {
                reports.Add(report);
                return Task.CompletedTask;
            },
            beforeCycle: (_, _) =>
            {
                stop.Cancel(); // Ctrl+C arrives as the cycle starts
                return Task.CompletedTask;
            },
            maxCycles: null,
            stop.Token);

        Assert.Equal(1, ran);
        var report = Assert.Single(reports);
        Assert.Null(report.Outage);
        Assert.Equal(1L, await audit.LastCycleAsync(Ct));
        Assert.Contains(await audit.QueryAsync(cancellationToken: Ct), e => e.Kind == AuditKind.Calibration);
    }

    [Fact]
    public async Task Loop_CycleKeepsFailingForANonVgacReason_ReportsAndRetriesThenGivesUp()
    {
        await using var server = await new ScriptedVgac().StartAsync(Ct);
        var blocker = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-loop-"), "not-a-directory");
        await File.WriteAllTextAsync(blocker, "a file where the audit folder should be", Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out _, new() { ["Watch:AuditPath"] = Path.Combine(blocker, "audit.db") });
        var reports = new List<CycleReport>();

        var error = await Record.ExceptionAsync(() => services.GetRequiredService<WatchLoop>().RunAsync(
            (report, _) =>
            {
                reports.Add(report);
                return Task.CompletedTask;
            },
            beforeCycle: null,
            maxCycles: 20,
            Ct));

        Assert.NotNull(error);
        Assert.Equal(WatchLoop.MaxConsecutiveFailures - 1, reports.Count);
        Assert.All(reports, r => Assert.NotNull(r.Failure));
        Assert.All(reports, r => Assert.Empty(r.Executions));
    }
}
