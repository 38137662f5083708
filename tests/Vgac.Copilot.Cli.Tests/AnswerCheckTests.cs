using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>A model's answer is checked against the guards before anyone reads it as true.</summary>
public sealed class AnswerCheckTests
{
    private const string Overclaim = "P(long wait) 0.88 with confidence 0.97, so it passes the 0.60 gate. Recommendation: move it to queue b now.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_ModelOverclaimsALowConfidencePrediction_WarnsShowsTheVerdictAndExits11()
    {
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("actor_recommend_policy", """{"gpus": 4}"""), ChatReply.Text(Overclaim)], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.62, Confidence = 0.31 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "should my 4-GPU job wait?"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.AnswerUnconfirmed, result.ExitCode);
        Assert.StartsWith(Overclaim, result.Out, StringComparison.Ordinal);
        Assert.Contains("WARNING: this answer was not confirmed by the guards", result.Out, StringComparison.Ordinal);
        Assert.Contains("numbers no tool of this question returned: 0.88, 0.97", result.Out, StringComparison.Ordinal);
        Assert.Contains("it calls the prediction confident", result.Out, StringComparison.Ordinal);
        Assert.Contains("it recommends", result.Out, StringComparison.Ordinal);
        Assert.Contains("actor_recommend_policy: low_confidence, highest tier 0", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Grounding_TheJobSpecAToolWasAskedAbout_MayBeRestated_OtherArgumentsAreNoFacts()
    {
        var checker = new Agent.Planning.AnswerChecker(new Core.Guards.GuardOptions());
        var predict = new Agent.Planning.ToolCallRecord("predictor_predict_wait", new Dictionary<string, object?> { ["gpus"] = 8, ["priority"] = 10 }, true, null, 1,
            """{"probability_long_wait":0.49,"confidence":0.45,"shown_as":"low_confidence"}""");
        var queue = new Agent.Planning.ToolCallRecord("observer_job_queue", new Dictionary<string, object?> { ["limit"] = 37 }, true, null, 1, """{"jobs_pending":11}""");

        // "and with 8?" at priority 10: the spec came from the earlier question, through the tool's arguments.
        Assert.True(checker.Check("and with 8?", "For 8 GPUs at priority 10: P(long wait) 0.49, confidence 0.45, low confidence.", [predict]).Grounded);
        // A row limit is no fact about the cluster: "37 jobs" is not grounded by it.
        Assert.Equal(["37"], checker.Check("why are jobs waiting?", "37 jobs are pending.", [queue]).UngroundedNumbers);
    }

    private static readonly Agent.Planning.AnswerChecker Checker = new(new Core.Guards.GuardOptions());

    /// <summary>A prediction the guards showed as low-confidence (0.31 against the 0.6 gate).</summary>
    private static readonly Agent.Planning.ToolCallRecord LowConfidenceJob = new(
        "predictor_predict_job", new Dictionary<string, object?> { ["job_id"] = "job-005014" }, true, "low_confidence, highest tier 0", 1,
        """{"job_id":"job-005014","probability_long_wait":0.62,"confidence":0.31,"shown_as":"low_confidence"}""");

    public static TheoryData<string, string> Evasions() => new()
    {
        // One negation later in the sentence no longer excuses the claim before it.
        { "job-005014 is confident, no doubt about it. You should submit now, there is no reason to wait.", "confident" },
        // A synonym is the same claim.
        { "The estimate for job-005014 is solid and trustworthy.", "confident" },
        // An action claimed in other words, with nothing run.
        { "Done: job-005014 is now on hold and the team was notified.", "action" },
    };

    [Theory]
    [MemberData(nameof(Evasions))]
    public void Check_LowConfidencePrediction_EvasivePhrasings_StillContradictions(string answer, string claim)
    {
        var check = Checker.Check("should job-005014 wait?", answer, [LowConfidenceJob]);

        Assert.False(check.Passed);
        Assert.Contains(check.Contradictions, c => c.StartsWith(claim == "action" ? "it says an action ran" : "it calls the prediction confident", StringComparison.Ordinal));
        Assert.Equal("The guards' verdict: predictor_predict_job: low_confidence, highest tier 0", check.GuardsLine);
    }

    [Theory]
    [InlineData("The prediction is not confident (0.31), so no recommendation is made and nothing was applied.")]
    [InlineData("It is low-confidence; the guards withheld the recommendation, and no action was carried out.")]
    [InlineData("Confidence 0.31 is below the 0.6 gate: the number is not reliable.")]
    public void Check_HonestAnswers_WithNegationInTheirOwnClause_Pass(string answer)
    {
        var check = Checker.Check("should it wait?", answer, [LowConfidenceJob]);

        Assert.True(check.Contradictions.Count == 0, string.Join("; ", check.Contradictions));
    }

    [Fact]
    public async Task Ask_AnswerRestingOnAPredictionThatPasses_EndsWithTheGuardsVerdictLine()
    {
        const string Honest = "The prediction is low-confidence (0.31), so no recommendation is given.";
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("actor_recommend_policy", """{"gpus": 4}"""), ChatReply.Text(Honest)], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.62, Confidence = 0.31 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "should my 4-GPU job wait?"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal([Honest, "The guards' verdict: actor_recommend_policy: low_confidence, highest tier 0"], result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Ask_Json_CarriesTheAnswerCheck()
    {
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("actor_recommend_policy", """{"gpus": 4}"""), ChatReply.Text(Overclaim)], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.62, Confidence = 0.31 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "-o", "json", "should my 4-GPU job wait?"], cancellationToken: Ct);

        using var json = JsonDocument.Parse(result.Out);
        var check = json.RootElement.GetProperty("answer_check");
        Assert.False(check.GetProperty("grounded").GetBoolean());
        Assert.Equal(["0.88", "0.97"], check.GetProperty("ungrounded_numbers").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(2, check.GetProperty("contradictions").GetArrayLength());
    }

    [Fact]
    public async Task Ask_ModelSaysItAppliedAnActionThatNeverRan_Contradiction()
    {
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("actor_propose_action", """{"job_id": "job-1", "tier": 2}"""), ChatReply.Text("I have notified the team about job-1.")], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "warn the team about job-1"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.AnswerUnconfirmed, result.ExitCode);
        Assert.Contains("it says an action ran", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_FaithfulAnswer_PassesWithoutWarning()
    {
        const string faithful = "P(long wait) 0.62 at confidence 0.31, below the 0.6 gate: low confidence, so no recommendation.";
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Call("actor_recommend_policy", """{"gpus": 4}"""), ChatReply.Text(faithful)], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.62, Confidence = 0.31 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "should my 4-GPU job wait?"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("WARNING", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_ModelThatMakesNoToolCall_OfflinePlannerAnswers_JsonSaysSo()
    {
        // A small local model that answers a data question from nothing: its words are not shown.
        await using var model = await ScriptedChatServer.StartAsync([ChatReply.Text("About 30 GPUs are free, I think.")], Ct);
        await using var vgac = await new ScriptedVgac { Probability = 0.2, Confidence = 0.9 }.StartAsync(Ct);

        var result = await CliHarness.RunAsync([.. Llm(model, vgac), "how busy is the cluster?", "--format", "json"], cancellationToken: Ct);

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.Equal("offline (model made no tool call)", json.RootElement.GetProperty("planner").GetString());
        Assert.Equal("m", json.RootElement.GetProperty("model").GetString());
        Assert.DoesNotContain("30 GPUs", json.RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.True(json.RootElement.GetProperty("tool_calls").GetArrayLength() > 0);
    }

    private static string[] Llm(ScriptedChatServer model, LoopbackServer vgac) =>
        ["ask", "--vgac-url", vgac.BaseAddress.ToString(), "--llm-provider", "openai-compatible", "--llm-endpoint", model.Endpoint.ToString(), "--llm-model", "m"];
}
