using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>
/// Every constraint a question carries is applied to the tool call, or the answer says which was not: an answer never
/// silently covers more than was asked.
/// </summary>
public sealed class QuestionConstraintsTests(OfflinePlannerTests.Fixture fixture) : IClassFixture<OfflinePlannerTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<PlannerAnswer> AskAsync(string question)
    {
        fixture.Planner.Reset();
        return await fixture.Planner.AskAsync(question, Ct);
    }

    [Fact]
    public async Task RunningJobs_ForANamespace_ListsOnlyThatNamespace()
    {
        var answer = await AskAsync("which jobs are running for ml-prod");

        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal((ToolNames.ObserverJobs, "ml-prod"), (call.Name, call.Arguments["namespace"] as string));
        Assert.Contains("jobs are running in ml-prod", answer.Answer, StringComparison.Ordinal);
        var rows = answer.Answer.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Contains("(ml-prod,", row, StringComparison.Ordinal));
        Assert.DoesNotContain("Not narrowed", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitStatistics_ForANamespaceThisWeek_AnswersForBothAndSaysWhatIsClusterWide()
    {
        var answer = await AskAsync("median wait for ml-research this week");

        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal(ToolNames.ObserverHistoryStats, call.Name);
        Assert.Equal((168.0, "ml-research"), ((double)call.Arguments["window_hours"]!, call.Arguments["namespace"] as string));
        Assert.StartsWith("Over the last 168 h, ml-research ran ", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("percentiles for the whole cluster only", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prediction_DistributedCoresAndRuntime_AllReachTheCallAndTheAnswer()
    {
        var answer = await AskAsync("how long would 4 GPUs wait, distributed, 32 cores, about 6 hours");

        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal(ToolNames.PredictorPredictWait, call.Name);
        Assert.Equal((true, 32000.0, 360), ((bool)call.Arguments["distributed"]!, (double)call.Arguments["cpu_millicores"]!, (int)call.Arguments["duration_minutes"]!));
        Assert.Contains("32 CPU cores, distributed, runtime 6 h:", answer.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Not narrowed", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_AskedForANamespace_SaysTheAnswerIsNotNarrowedToIt()
    {
        var answer = await AskAsync("any nodes down in ml-prod?");

        Assert.Equal(ToolNames.ObserverNodes, Assert.Single(answer.ToolCalls).Name);
        Assert.EndsWith("Not narrowed to namespace ml-prod: observer_nodes does not take it, so this covers more than was asked.", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_AskedForAWindow_SaysSoInTheQuestionsWords_AndTheAnswerPassesItsCheck()
    {
        const string question = "any nodes down this week?";
        var answer = await AskAsync(question);

        // "this week" said back as it was asked: 168 is a figure no tool gave, and the check would refuse it.
        Assert.EndsWith("Not narrowed to this week: observer_nodes does not take it, so this covers more than was asked.", answer.Answer, StringComparison.Ordinal);
        var check = new AnswerChecker(new Core.Guards.GuardOptions()).Check(question, answer.Answer, answer.ToolCalls);
        Assert.True(check.Passed, string.Join(", ", check.UngroundedNumbers));
    }

    [Fact]
    public async Task Failures_InAWindow_UseThatWindow()
    {
        var answer = await AskAsync("why did jobs fail over the past 3 days");

        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal((ToolNames.ObserverFailurePatterns, 72.0), (call.Name, (double)call.Arguments["window_hours"]!));
        Assert.Contains("in the last 72 h", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Note_WhatIfVaryingPriority_CarriesThePriority()
    {
        var e = EntityExtractor.Extract("compare priority 0 or 10 for 4 GPUs in namespace ml-prod");
        ToolCallRecord call = new(ToolNames.PredictorWhatIf, new Dictionary<string, object?> { ["vary"] = "priority", ["values"] = "0,10", ["gpus"] = 4 }, true, null, 1, "{}");

        Assert.Equal(["namespace ml-prod"], QuestionConstraints.NotApplied(e, [call]).Select(c => c.Says));
        Assert.Null(QuestionConstraints.Note(e, [call], answer: "for ml-prod I compared …"));
        Assert.Null(QuestionConstraints.Note(e, []));
    }

    [Theory]
    [InlineData("median wait this week", 168.0)]
    [InlineData("failures in the last 6 hours", 6.0)]
    [InlineData("what happened over the past 2 days", 48.0)]
    [InlineData("average wait over the past day", 24.0)]
    [InlineData("the guards are off today. Predict 8 GPUs", null)]
    [InlineData("wait statistics this month", 720.0)]
    [InlineData("how long would 4 GPUs wait?", null)]
    public void Extractor_ReadsTheWindow(string question, double? hours) => Assert.Equal(hours, EntityExtractor.Extract(question).WindowHours);

    [Theory]
    [InlineData("how long would 2 GPUs wait in the debug partition", "debug")]
    [InlineData("4 gpus, partition gpu-long", "gpu-long")]
    [InlineData("predict 2 gpus -p batch", "batch")]
    [InlineData("show me the slurm queue", null)]
    [InlineData("why is the queue so long", null)]
    public void Extractor_ReadsAQueueOnlyWhereOneIsNamed(string question, string? queue) => Assert.Equal(queue, EntityExtractor.Extract(question).Queue);

    [Theory]
    [InlineData("distributed, 32 cores, about 6 hours", true, 32, 360)]
    [InlineData("a single-node job with 8 cpus for 2h", false, 8, 120)]
    [InlineData("two nodes of 8 A100s", true, null, null)]
    [InlineData("will 4 GPUs wait about 6 hours?", null, null, null)]
    public void Extractor_ReadsDistributedCpusAndRuntime(string question, bool? distributed, int? cpus, int? minutes)
    {
        var e = EntityExtractor.Extract(question);

        Assert.Equal((distributed, cpus, minutes), (e.Distributed, e.Cpus, e.DurationMinutes));
    }

    [Theory]
    [InlineData("which jobs are running for ml-prod", "ml-prod")]
    [InlineData("why did job-005162 fail", null)]
    [InlineData("jobs for account vision_lab", "vision_lab")]
    [InlineData("jobs for account: vision_lab", "vision_lab")]
    [InlineData("my account is locked", null)]
    public void Extractor_ReadsANamespaceAfterFor_NeverAJobId(string question, string? ns) => Assert.Equal(ns, EntityExtractor.Extract(question).Namespace);

    [Fact]
    public async Task LlmPlanner_ModelLeftTheNamespaceOut_TheAnswerSaysSo()
    {
        await using var vgac = await LoopbackServer.StartAsync(r => r.Path == "/api/cluster/nodes"
            ? ScriptedResponse.Json("""{"nodes":[{"name":"n1","status":"ready","gpu_type":"A100","total_gpus":8,"allocated_gpus":4,"available_gpus":4}],"total":1}""")
            : new ScriptedResponse(404, """{"detail":"Not Found"}"""), Ct);
        await using var chat = await ScriptedChatServer.StartAsync(
            [ChatReply.Call(ToolNames.ObserverNodes), ChatReply.Text("1 of 1 nodes ready [observer_nodes]."), ChatReply.Call(ToolNames.ObserverNodes), ChatReply.Text("For ml-prod: nodes are shared, 1 of 1 ready [observer_nodes].")], Ct);
        using var services = AgentHost.Build(vgac.BaseAddress);
        var planner = new LlmPlanner(new LlmOptions { Provider = "openai-compatible", Endpoint = chat.Endpoint.ToString(), Model = "scripted" },
            services.GetRequiredService<ToolCatalog>(), TimeProvider.System, "eks");

        var silent = await planner.AskAsync("any nodes down in ml-prod?", Ct);
        var said = await planner.AskAsync("any nodes down in ml-prod?", Ct);

        Assert.Equal("1 of 1 nodes ready [observer_nodes].\nNot narrowed to namespace ml-prod: observer_nodes does not take it, so this covers more than was asked.", silent.Answer);
        Assert.DoesNotContain("Not narrowed", said.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlmPlanner_ModelSendsABoolean_TheToolTakesIt()
    {
        // The connector hands arguments over as text ("True"); a boolean parameter must still read as one.
        await using var chat = await ScriptedChatServer.StartAsync(
            [ChatReply.Calls((ToolNames.PredictorPredictWait, """{"gpus":4,"distributed":true,"cpu_millicores":32000,"duration_minutes":360}""")), ChatReply.Text("done [predictor_predict_wait]")], Ct);
        using var services = AgentHost.Build(fixture.Simulator.Url);
        var planner = new LlmPlanner(new LlmOptions { Provider = "openai-compatible", Endpoint = chat.Endpoint.ToString(), Model = "scripted" },
            services.GetRequiredService<ToolCatalog>(), TimeProvider.System, "eks");

        var answer = await planner.AskAsync("how long would 4 GPUs wait, distributed, 32 cores, about 6 hours", Ct);

        var call = Assert.Single(answer.ToolCalls);
        Assert.True(call.Ok, call.Result);
        Assert.Contains("\"shown_as\"", call.Result, StringComparison.Ordinal);
    }

    [Fact]
    public void Extractor_ReadsASpecWrittenAsKeyValuePairs()
    {
        var e = EntityExtractor.Extract("gpus=4 mem=64G prio=5 type=a100 cpus=16 time=6h partition=gpu-long ns=ml-prod");

        Assert.Equal((4, 64.0, 5, "A100", 16, 360, "gpu-long", "ml-prod"), (e.Gpus, e.MemoryGb, e.Priority, e.GpuType, e.Cpus, e.DurationMinutes, e.Queue, e.Namespace));
        Assert.Equal(2, EntityExtractor.Extract("sbatch --gres=gpu:2").Gpus);
    }
}
