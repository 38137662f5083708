using System.Text.Json;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Commands;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>
/// The demo's story ends where the README says: watch, then a person approves a waiting proposal against the demo's
/// own simulator, and the trail's check finds the executed action clean. No lock is left behind, and an empty trail
/// left by a stopped run is not the one a reader opens.
/// </summary>
public sealed class DemoStoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task DemoStory_WatchApproveCheck_EndsWithAnExecutedActionInACleanTrail()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-demo-story-");
        try
        {
            var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = Path.Combine(folder, "audit.db") };

            var watch = await CliHarness.RunAsync(["watch", "--demo", "--cycles", "9", "--sim-step", "30m", "--interval", "10ms"], env, Ct);
            // A run stopped before its first cycle leaves an empty trail, newer than the real one.
            File.WriteAllBytes(Path.Combine(folder, "demo-audit-99991231-235959.db"), []);
            var list = await CliHarness.RunAsync(["actions", "list", "--demo", "--format", "json"], env, Ct);

            Assert.True(watch.ExitCode == ExitCodes.Success, watch.ToString());
            Assert.Empty(Directory.GetFiles(folder, "*.watch.lock"));
            Assert.Contains("with --autonomy off (the default) nothing runs by itself", watch.Error, StringComparison.Ordinal);
            Assert.Contains("vgac actions approve ID --demo", watch.Error, StringComparison.Ordinal);
            Assert.True(list.ExitCode == ExitCodes.Success, list.ToString());
            var waiting = Lines(list.Out).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("proposal").GetProperty("proposal_id").GetString()!).ToList();
            Assert.NotEmpty(waiting);

            // Each approval asks the guards again on the demo simulator's numbers of the proposal's time; some may be
            // refused there (exit 7), none may fail to reach it.
            CliResult? executed = null;
            foreach (var id in waiting.Take(12))
            {
                var approve = await CliHarness.RunAsync(["actions", "approve", id, "--demo"], env, Ct);
                Assert.True(approve.ExitCode is ExitCodes.Success or ExitCodes.ActionRefused, approve.ToString());
                if (approve.ExitCode == ExitCodes.Success)
                {
                    executed = approve;
                    break;
                }
            }

            Assert.NotNull(executed);
            Assert.Contains(": executed: ", executed.Out, StringComparison.Ordinal);
            var check = await CliHarness.RunAsync(["audit", "--demo", "--check", "--full"], env, Ct);
            Assert.True(check.ExitCode == ExitCodes.Success, check.ToString());
            Assert.Matches(@"\[eks\] audit trail .*: 9 cycles .* [1-9]\d* executed,", check.Out + check.Error);
            Assert.Contains("guard check: no violations", check.Out + check.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DemoDay_WithoutCycles_EndsAfterOneSimulatedDay()
    {
        Assert.Equal(145, WatchDemoScenario.DayCycles(TimeSpan.FromMinutes(10)));
        Assert.Equal(49, WatchDemoScenario.DayCycles(TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void DemoNext_ProposalsWaitingWithAutonomyOff_SaysHowToSeeOneRun()
    {
        var waiting = WatchCommand.DemoNext("'t.db'", 1, Autonomy.Off);
        var none = WatchCommand.DemoNext("'t.db'", 0, Autonomy.Off);

        Assert.StartsWith("1 proposal awaits a person: with --autonomy off (the default) nothing runs by itself.", waiting, StringComparison.Ordinal);
        Assert.Contains("vgac actions approve ID --demo", waiting, StringComparison.Ordinal);
        Assert.DoesNotContain("approve", none, StringComparison.Ordinal);
        Assert.Contains("vgac audit --audit-db 't.db' --check", none, StringComparison.Ordinal);
    }
}
