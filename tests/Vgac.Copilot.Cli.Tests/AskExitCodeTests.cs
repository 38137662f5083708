using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac ask</c> ends with the documented exit code for each way a question can end short.</summary>
public sealed class AskExitCodeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_ModelHangsPastTheDeadline_CutOffWithExit10AndTheReason()
    {
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Hang(TimeSpan.FromMinutes(5))], Ct);
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "why are jobs waiting?"], new Dictionary<string, string> { ["Llm__DeadlineSeconds"] = "2" }, Ct);

        Assert.Equal(ExitCodes.PlannerLimit, result.ExitCode);
        Assert.Contains("did not finish within the 2 s deadline for a question (Llm:DeadlineSeconds)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_ToolBudgetSpent_Exit10NotAVgacError()
    {
        var calls = Enumerable.Range(1, 4).Select(i => ChatReply.Call("observer_job_queue", $$"""{"limit": {{i}}}""")).Append(ChatReply.Text("done"));
        await using var model = await ScriptedChatServer.StartAsync(calls, Ct);
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "why are jobs waiting?"], new Dictionary<string, string> { ["Llm__MaxToolCalls"] = "2" }, Ct);

        Assert.Equal(ExitCodes.PlannerLimit, result.ExitCode);
        Assert.Contains("tool-call budget of 2 per question is spent", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unreachable", ExitCodes.VgacUnavailable)]
    [InlineData("slow", ExitCodes.VgacTimeout)]
    [InlineData("broken", ExitCodes.VgacError)]
    public async Task Ask_VgacFailsBehindTheTool_ExitSaysHow(string failure, int expected)
    {
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("observer_cluster_summary"), ChatReply.Text("VGAC could not answer.")], Ct);
        await using var vgac = await LoopbackServer.StartAsync(_ => failure switch
        {
            "slow" => new ScriptedResponse(Hang: true),
            _ => new ScriptedResponse(500, """{"detail":"boom"}"""),
        }, Ct);
        var url = failure == "unreachable" ? "http://127.0.0.1:1" : vgac.BaseAddress.ToString();

        var result = await CliHarness.RunAsync(
            ["ask", "--vgac-url", url, "--timeout", "1", "--llm-provider", "openai-compatible", "--llm-endpoint", model.Endpoint.ToString(), "--llm-model", "m", "cluster status?"],
            new Dictionary<string, string> { ["Vgac__MaxRetries"] = "0" }, Ct);

        Assert.True(result.ExitCode == expected, result.ToString());
    }

    private static string[] Llm(ScriptedChatServer model, LoopbackServer vgac) =>
        ["ask", "--vgac-url", vgac.BaseAddress.ToString(), "--llm-provider", "openai-compatible", "--llm-endpoint", model.Endpoint.ToString(), "--llm-model", "m"];
}
