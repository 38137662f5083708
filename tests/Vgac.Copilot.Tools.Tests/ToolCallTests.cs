using System.Text.Json;
using ModelContextProtocol.Protocol;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Tools.Tests;

/// <summary>Every tool called through a real MCP client against the simulator over loopback HTTP.</summary>
public sealed class ToolCallTests(ToolCallTests.Fixture fixture) : IClassFixture<ToolCallTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ReadTools => new()
    {
        { ToolNames.ObserverClusterSummary, "{}" },
        { ToolNames.ObserverQuickSummary, "{}" },
        { ToolNames.ObserverNodes, """{"limit": 5}""" },
        { ToolNames.ObserverBifurcation, "{}" },
        { ToolNames.ObserverCapacityForecast, """{"horizon_hours": 3}""" },
        { ToolNames.ObserverJobQueue, """{"limit": 3}""" },
        { ToolNames.ObserverJobs, """{"state": "running", "limit": 3}""" },
        { ToolNames.ObserverJobHistory, """{"state": "failed", "since_hours": 48, "limit": 3}""" },
        { ToolNames.ObserverHistoryStats, """{"window_hours": 24}""" },
        { ToolNames.ObserverFailurePatterns, "{}" },
        { ToolNames.ObserverAnomalies, "{}" },
        { ToolNames.PredictorPredictWait, """{"gpus": 4, "memory_gb": 64, "namespace": "ml-research"}""" },
        { ToolNames.PredictorWhatIf, """{"vary": "gpus", "values": "1,2,4,8"}""" },
        { ToolNames.PredictorPredictBatch, """{"jobs": [{"gpus": 1}, {"gpus": 8, "gpu_type": "A100"}]}""" },
        { ToolNames.PredictorPendingJobs, """{"limit": 3}""" },
        { ToolNames.PredictorClusterState, "{}" },
        { ToolNames.PredictorServiceStats, "{}" },
        { ToolNames.CalibratorStatus, "{}" },
        { ToolNames.CalibratorLiveAudit, "{}" },
        { ToolNames.CalibratorTierVerdict, """{"probability": 0.8, "confidence": 0.9}""" },
        { ToolNames.ActorRecommendPolicy, """{"gpus": 2}""" },
        { ToolNames.ActorAdmissionPreview, """{"gpus": 4, "namespace": "ml-research"}""" },
    };

    [Theory]
    [MemberData(nameof(ReadTools))]
    public async Task Tool_OverMcp_ReturnsCompactJson(string tool, string arguments)
    {
        var result = await fixture.Mcp.CallAsync(tool, Args(arguments), Ct);

        Assert.True(result.IsError is not true, result.Text());
        using var json = JsonDocument.Parse(result.Text());
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.DoesNotContain("\"null\"", result.Text(), StringComparison.Ordinal);
        Assert.True(result.Text().Length < 8000, $"{tool} returned {result.Text().Length} characters");
    }

    [Fact]
    public async Task JobTools_FollowAnIdFromTheQueue()
    {
        using var queue = JsonDocument.Parse((await fixture.Mcp.CallAsync(ToolNames.ObserverJobQueue, Args("""{"limit": 2}"""), Ct)).Text());
        Assert.True(queue.RootElement.GetProperty("jobs").GetArrayLength() > 0, "the simulated queue is empty at this hour");
        var jobId = queue.RootElement.GetProperty("jobs")[0].GetProperty("job_id").GetString()!;

        var details = await fixture.Mcp.CallAsync(ToolNames.ObserverJobDetails, new() { ["job_id"] = jobId }, Ct);
        var predicted = await fixture.Mcp.CallAsync(ToolNames.PredictorPredictJobs, new() { ["job_ids"] = jobId }, Ct);
        var proposal = await fixture.Mcp.CallAsync(ToolNames.ActorProposeAction, new() { ["job_id"] = jobId }, Ct);

        Assert.Contains(jobId, details.Text(), StringComparison.Ordinal);
        Assert.Contains(jobId, predicted.Text(), StringComparison.Ordinal);
        using var p = JsonDocument.Parse(proposal.Text());
        Assert.False(p.RootElement.TryGetProperty("dry_run", out _), "a proposal is not a run: it says whether it is allowed, not how it would run");
        Assert.Contains(p.RootElement.GetProperty("allowed").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.Equal(jobId, p.RootElement.GetProperty("job_id").GetString());
        Assert.Contains("kubectl", p.RootElement.GetProperty("preview").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prediction_AlwaysCarriesConfidenceAndVerdicts()
    {
        using var json = JsonDocument.Parse((await fixture.Mcp.CallAsync(ToolNames.PredictorPredictWait, Args("""{"gpus": 8}"""), Ct)).Text());
        var root = json.RootElement;

        foreach (var field in new[] { "shown_as", "probability_long_wait", "confidence", "highest_tier", "calibration" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.Equal(root.GetProperty("confidence").GetDouble() >= 0.6 ? "confident" : "low_confidence", root.GetProperty("shown_as").GetString());
    }

    [Theory]
    [InlineData(ToolNames.PredictorPredictWait, """{"gpus": -1}""", "gpus must be between 0 and 1024")]
    [InlineData(ToolNames.PredictorPredictWait, """{"gpus": "four"}""", "argument 'gpus' must be a whole number")]
    [InlineData(ToolNames.PredictorPredictWait, """{"memory_gb": 4}""", "missing required argument 'gpus'")]
    [InlineData(ToolNames.PredictorPredictWait, """{"gpu": 4}""", "has no argument 'gpu'")]
    [InlineData(ToolNames.ObserverJobDetails, """{"job_id": "no-such-job"}""", "Job 'no-such-job' not found")]
    [InlineData(ToolNames.ObserverJobs, """{"state": "sleeping"}""", "state must be one of pending, running")]
    [InlineData(ToolNames.ObserverNodes, """{"limit": 1000}""", "limit must be between 1 and 100")]
    [InlineData(ToolNames.PredictorWhatIf, """{"vary": "colour", "values": "red"}""", "vary: unknown field 'colour'.")]
    [InlineData(ToolNames.PredictorPredictBatch, """{"jobs": [{"gpus": 1}, {"gpu": 2}]}""", "jobs[1] has no field 'gpu' (did you mean 'gpus'?)")]
    [InlineData(ToolNames.PredictorPredictBatch, """{"jobs": [{"gpus": "2"}]}""", "jobs[0].gpus must be a whole number, got string '\"2\"'")]
    [InlineData(ToolNames.PredictorPredictBatch, """{"jobs": [{"memory_gb": 2}]}""", "jobs[0] is missing its required field 'gpus'")]
    [InlineData(ToolNames.PredictorPredictBatch, """{"jobs": [{"gpus": 1, "memory_gb": 0}]}""", "jobs[0]: memory_gb must be greater than 0")]
    [InlineData(ToolNames.ActorAdmissionPreview, """{"gpus": 1, "memory_gib": 4}""", "has no argument 'memory_gib' (did you mean 'memory_gb'?)")]
    [InlineData(ToolNames.PredictorPredictWait, """{"gpus": 99999999999}""", "argument 'gpus' is out of range: '99999999999'")]
    [InlineData(ToolNames.CalibratorTierVerdict, """{"probability": 1.5, "confidence": 0.9}""", "probability must be between 0 and 1")]
    [InlineData(ToolNames.ObserverSlurmStatus, "{}", "Slurm is not the scheduler")]
    public async Task BadArguments_ComeBackAsToolErrors_AndTheServerKeepsServing(string tool, string arguments, string message)
    {
        var result = await fixture.Mcp.CallAsync(tool, Args(arguments), Ct);
        var after = await fixture.Mcp.CallAsync(ToolNames.ObserverQuickSummary, [], Ct);

        Assert.True(result.IsError);
        Assert.Contains(message, result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Text(), StringComparison.Ordinal);
        Assert.True(after.IsError is not true);
    }

    [Fact]
    public async Task Resources_ReadClusterCalibrationQueueAndPolicy()
    {
        var resources = await fixture.Mcp.Client.ListResourcesAsync(cancellationToken: Ct);
        Assert.Equal(["vgac://calibration/status", "vgac://cluster/summary", "vgac://guards/policy", "vgac://jobs/queue"], resources.Select(r => r.Uri).Order());

        var policy = await fixture.Mcp.Client.ReadResourceAsync("vgac://guards/policy", cancellationToken: Ct);
        var summary = await fixture.Mcp.Client.ReadResourceAsync("vgac://cluster/summary", cancellationToken: Ct);

        Assert.Contains("\"confidence_gate\":0.6", ((TextResourceContents)policy.Contents[0]).Text, StringComparison.Ordinal);
        Assert.Contains("\"gpus_total\":104", ((TextResourceContents)summary.Contents[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompts_RenderFromTheirFiles()
    {
        var prompts = await fixture.Mcp.Client.ListPromptsAsync(cancellationToken: Ct);
        Assert.Equal(["diagnose_slow_queue", "plan_job_submission", "review_calibration"], prompts.Select(p => p.Name).Order());

        var plan = await fixture.Mcp.Client.GetPromptAsync("plan_job_submission", new Dictionary<string, object?> { ["gpus"] = "4", ["namespace"] = "ml-research" }, cancellationToken: Ct);
        var text = ((TextContentBlock)plan.Messages[0].Content).Text;

        Assert.Contains("4 GPUs in namespace ml-research", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
    }

    private static Dictionary<string, object?> Args(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);

    [Fact]
    public async Task HugeStringArgument_RefusedBeforeAnythingIsForwarded_AndTheMessageStaysShort()
    {
        async Task<long> Predictions() => JsonDocument.Parse((await fixture.Mcp.CallAsync(ToolNames.PredictorServiceStats, [], Ct)).Text()).RootElement.GetProperty("predictions_total").GetInt64();
        var before = await Predictions();
        var huge = new string('a', 5_000_000);

        var result = await fixture.Mcp.CallAsync(ToolNames.PredictorPredictWait, new() { ["gpus"] = 1, ["namespace"] = huge }, Ct);

        Assert.True(result.IsError);
        Assert.Contains("argument 'namespace' is 5,000,000 characters long; at most 512 are accepted", result.Text(), StringComparison.Ordinal);
        Assert.True(result.Text().Length < 300);
        Assert.Equal(before, await Predictions());
    }

    [Fact]
    public async Task WrongTypeWithALongValue_EchoedCutAndInert()
    {
        var value = "x\u001b[2J" + new string('9', 10_000);

        var result = await fixture.Mcp.CallAsync(ToolNames.PredictorPredictWait, new() { ["gpus"] = JsonSerializer.SerializeToElement(new[] { value }) }, Ct);

        Assert.True(result.IsError);
        Assert.Contains("argument 'gpus' must be a whole number", result.Text(), StringComparison.Ordinal);
        Assert.Contains("characters)", result.Text(), StringComparison.Ordinal);
        Assert.True(result.Text().Length < 400);
        Assert.DoesNotContain('\u001b', result.Text());
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public SimulatorHost Simulator { get; private set; } = null!;

        public McpTestHost Mcp { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            // Tuesday 14:00 of the second week: a busy afternoon with a queue to look at.
            Simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, WarmupHours = 206 });
            Mcp = await McpTestHost.StartAsync(Simulator.Url);
        }

        public async ValueTask DisposeAsync()
        {
            await Mcp.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }
}
