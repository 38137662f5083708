using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Tests;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary><c>vgac actions apply</c>: a person applies an action from the command line, at most once per job and tier.</summary>
public sealed class ActionsApplyTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Apply_TwentyAttemptsFromThreeProcessesAtOnce_ExactlyOneExecutionAndOneDelivery()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        // A slow receiver keeps the first delivery in flight while the others arrive.
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain", Delay: TimeSpan.FromSeconds(1.5)), Ct);
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["VGAC_WEBHOOK_URL"] = new Uri(receiver.BaseAddress, "/hook").ToString(),
            ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-apply-"), "audit.db"),
            ["VGAC_LOG_DIR"] = TestPaths.Logs,
            ["Vgac__MaxRetries"] = "0",
        };
        string[] apply = ["actions", "apply", "job-1", "--tier", "2", "--reason", "queue is stuck"];

        // Two child processes and eighteen attempts in this one, each with its own services: three processes, one trail.
        var children = Enumerable.Range(0, 2).Select(_ => CliProcess.RunAsync(apply, env, TimeSpan.FromSeconds(60), Ct));
        var here = Enumerable.Range(0, 18).Select(_ => Task.Run(() => CliHarness.RunAsync(apply, env, Ct), Ct));
        var results = await Task.WhenAll(children.Concat(here));

        foreach (var r in results)
        {
            output.WriteLine($"{r.ExitCode}: {r.Out.Trim()} {r.Error.Trim()}");
        }

        Assert.Single(results, r => r.ExitCode == 0);
        Assert.All(results.Where(r => r.ExitCode != 0), r =>
        {
            Assert.Equal(7, r.ExitCode);
            Assert.Matches("already (running|done)", r.Out);
            Assert.DoesNotContain("UNIQUE", r.Out + r.Error, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Single(receiver.Requests);
        var check = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Apply_GuardsBlockTheTier_Exit7WithTheRule()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6, Confidence = 0.4 }.StartAsync(Ct);
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-apply-"), "audit.db"),
        };

        var result = await CliHarness.RunAsync(["actions", "apply", "job-1", "--tier", "1"], env, Ct);

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("blocked by guard: confidence_gate", result.Out, StringComparison.Ordinal);
    }
}
