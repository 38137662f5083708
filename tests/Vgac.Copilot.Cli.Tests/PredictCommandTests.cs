using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed class PredictCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Predict_Demo_Json_HasPredictionGateTiersAndTiming()
    {
        var result = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "4", "--memory-gb", "64", "-n", "ml-research", "--priority", "5", "--format", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.False(root.GetProperty("is_fallback").GetBoolean());
        Assert.InRange(root.GetProperty("probability_long_wait").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.Equal(4, root.GetProperty("tiers").GetArrayLength());
        Assert.Equal(root.GetProperty("confidence").GetDouble() >= 0.6, root.GetProperty("gate").GetProperty("passed").GetBoolean());
        Assert.Equal("ml-research", root.GetProperty("spec").GetProperty("namespace").GetString());
        Assert.True(root.GetProperty("timing").GetProperty("round_trip_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("calibration").GetProperty("sample_count").GetInt32() > 0);
    }

    [Fact]
    public async Task Predict_Demo_Table_ShowsTheNumberWithItsConfidence()
    {
        var result = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "8", "--gpu-type", "A100"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Matches(@"P\(long wait\)\s+\d\.\d\d .*confidence \d\.\d\d", result.Out);
        Assert.Contains("Tiers", result.Out, StringComparison.Ordinal);
        Assert.Contains("Timing", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_Demo_MoreGpusThanTheClusterHas_InfeasibleWithTheLimit_NoNumberNoRecommendation()
    {
        var result = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "200"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Infeasible, result.ToString());
        Assert.Contains("INFEASIBLE: asks 200 GPUs; the cluster has 104; the largest node has 8", result.Out, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"P\(long wait\)\s+\d", result.Out);
        Assert.DoesNotContain("Starts ", result.Out, StringComparison.Ordinal);
        Assert.Contains("vgac: infeasible: asks 200 GPUs", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_Demo_AGpuTypeTheClusterLacks_Json_ShownAsInfeasible()
    {
        var result = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "4", "--gpu-type", "H100", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Infeasible, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal("infeasible", root.GetProperty("shown_as").GetString());
        Assert.Equal("infeasible_gpu_type", root.GetProperty("feasibility").GetProperty("rule").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("estimated_wait_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("recommendation").ValueKind);
        Assert.All(root.GetProperty("tiers").EnumerateArray(), t => Assert.Equal("infeasible", t.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task Predict_Demo_ADistributedJobAcrossNodes_Feasible()
    {
        var result = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "16", "--distributed", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("feasible", json.RootElement.GetProperty("feasibility").GetProperty("level").GetString());
    }

    [Fact]
    public async Task Ask_Offline_AnImpossibleJob_SaysWhichLimitInsteadOfAWait()
    {
        var result = await CliHarness.RunAsync(["ask", "--demo", "how long will a job with 200 GPUs wait"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("cannot start on this cluster as asked: it asks 200 GPUs; the cluster has 104", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("P(long wait)", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("recommendation:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_WhatIf_OneBatchCallForEveryVariant()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path switch
        {
            "/api/predict/batch" => ScriptedResponse.Json(BatchOf(6)),
            _ => ScriptedResponse.Json("""{"ece":0.02,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}"""),
        }, Ct);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--gpus", "1", "--what-if", "gpus=1,2,4", "--what-if", "priority=0,10", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(6, json.RootElement.GetArrayLength());
        var batch = Assert.Single(server.Requests, r => r.Path == "/api/predict/batch");
        Assert.Contains("\"priority\":10", batch.Body, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests.Count(r => r.Path == "/api/predict/wait"));
    }

    [Theory]
    [InlineData(new[] { "--gpus", "-1" }, "gpus must be between 0 and 1024")]
    [InlineData(new[] { "--gpus", "2", "--memory-gb", "0" }, "memory_gb must be greater than 0")]
    [InlineData(new[] { "--memory-gb", "4" }, "--gpus is required")]
    [InlineData(new[] { "--gpus", "1", "--interval-level", "97" }, "--interval-level must be 80, 90 or 95, got '97'.")]
    [InlineData(new[] { "--gpus", "1", "--what-if", "colour=red" }, "--what-if 'colour=red'")]
    [InlineData(new[] { "--gpus", "1", "--what-if", "gpus=1,x" }, "gpus must be a whole number, got 'x'")]
    [InlineData(new[] { "--gpus", "two" }, "--gpus: gpus must be a whole number, got 'two'")]
    [InlineData(new[] { "--gpus", "1", "--cpu-millicores", "lots" }, "cpu_millicores must be a number, got 'lots'")]
    [InlineData(new[] { "--gpus", "1", "--what-if", "memory-gib=4" }, "unknown field 'memory_gib'; did you mean 'memory_gb'?")]
    [InlineData(new[] { "--gpus", "1", "--format", "yaml" }, "'yaml' not recognized")]
    [InlineData(new[] { "--gpus", "1", "--colour" }, "--colour")]
    public async Task Predict_BadInput_RejectedBeforeAnyCall(string[] args, string message)
    {
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(500), Ct);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), .. args], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Predict_VgacDown_FallbackWithConfidenceZeroAndDistinctExitCode()
    {
        var result = await CliHarness.RunAsync(["predict", "--vgac-url", "http://127.0.0.1:1", "--timeout", "2", "--gpus", "2", "-o", "json"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Fallback, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("is_fallback").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("confidence").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("recommendation").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("highest_tier").GetInt32());
        Assert.Contains("fallback", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_BatchFile_ErrorNamesTheLine()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-batch-"), "jobs.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"gpus": 1}""", "", """{"gpus": 2, "memory_gb": -4}"""], Ct);

        var result = await CliHarness.RunAsync(["predict", "--batch", path], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("line 3: memory_gb must be greater than 0", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"gpus": 1, "gpu": "A100"}""", "line 1: unknown field 'gpu'; did you mean 'gpus'?")]
    [InlineData("""{"gpus": "2"}""", "line 1: gpus must be a whole number, got the string '2'")]
    [InlineData("""{"gpus": 1, "cpu": 500}""", "unknown field 'cpu'; did you mean 'cpu_millicores'?")]
    [InlineData("""{"gpus": 1, "estimated_duration_minutes": 30}""", "did you mean 'duration_minutes'?")]
    [InlineData("""{"gpus": 1, "is_distributed": true}""", "did you mean 'distributed'?")]
    [InlineData("""{"gpus": 1, "distributed": "yes"}""", "distributed must be true or false, got the string 'yes'")]
    [InlineData("""{"memory_gb": 4}""", "line 1: \"gpus\" is required")]
    [InlineData("""[1, 2]""", "line 1: expected a JSON object")]
    [InlineData("""{"gpus": 1""", "line 1: not JSON")]
    public async Task Predict_BatchFromStdin_SchemaErrorsNameTheFieldAndTheClosestName(string line, string message)
    {
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(500), Ct);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--batch", "-"], cancellationToken: Ct, input: line + "\n");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("stdin: line 1: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Predict_OneSchemaEverywhere_FlagsJsonlAndEchoUseTheSameNames()
    {
        var result = await CliHarness.RunAsync(
            ["predict", "--demo", "--batch", "-", "-o", "json"], cancellationToken: Ct,
            input: """{"gpus": 2, "cpu_millicores": 500, "memory_gb": 8, "distributed": true, "duration_minutes": 90, "queue": "gpu"}""" + "\n");
        var flags = await CliHarness.RunAsync(
            ["predict", "--demo", "--gpus", "2", "--cpu-millicores", "500", "--memory-gb", "8", "--distributed", "--duration-minutes", "90", "--queue", "gpu", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(flags.ExitCode == ExitCodes.Success, flags.ToString());
        using var fromFile = JsonDocument.Parse(result.Out);
        using var fromFlags = JsonDocument.Parse(flags.Out);
        var echoed = fromFile.RootElement[0].GetProperty("spec");
        Assert.Equal(Core.Jobs.JobSpecSchema.Names, echoed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(500, echoed.GetProperty("cpu_millicores").GetDouble());
        Assert.True(echoed.GetProperty("distributed").GetBoolean());
        Assert.Equal(90, echoed.GetProperty("duration_minutes").GetInt32());
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(echoed.GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(fromFlags.RootElement.GetProperty("spec").GetRawText())), flags.Out);
    }

    [Fact]
    public async Task Predict_BatchFile_Demo_PredictsEveryLine()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-batch-"), "jobs.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"gpus": 1}""", """{"gpus": 8, "gpu_type": "A100", "priority": 10}""", """{"gpus": 4, "namespace": "nlp-team"}"""], Ct);

        var result = await CliHarness.RunAsync(["predict", "--demo", "--batch", path, "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal([1, 8, 4], json.RootElement.EnumerateArray().Select(e => e.GetProperty("spec").GetProperty("gpus").GetInt32()));
    }

    [Fact]
    public async Task Predict_JobHistoryHangs_ThePredictionIsNotHeldBack_ItSaysWhyThereIsNoInterval()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path switch
        {
            "/api/predict/wait" => ScriptedResponse.Json("""{"probability_long_wait":0.1,"estimated_wait_seconds":60,"wait_category":"low","confidence":0.9,"is_calibrated":true,"latency_us":50}"""),
            "/api/jobs/history" => new ScriptedResponse(Hang: true),
            _ => ScriptedResponse.Json("""{"ece":0.02,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}"""),
        }, Ct);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--gpus", "1", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("confident", json.RootElement.GetProperty("shown_as").GetString());
        // Given up after the history's 2 s, not after the client's timeout and its retries (which would say "could not be read").
        Assert.Equal("no interval: the job history did not answer within 2 s", json.RootElement.GetProperty("wait_interval_reason").GetString());
    }

    private static string BatchOf(int n) =>
        $$"""{"predictions":[{{string.Join(',', Enumerable.Range(0, n).Select(i => $$"""{"probability_long_wait":0.{{i + 1}},"estimated_wait_seconds":60,"wait_category":"low","confidence":0.8,"is_calibrated":true,"latency_us":50}"""))}}],"count":{{n}}}""";
}
