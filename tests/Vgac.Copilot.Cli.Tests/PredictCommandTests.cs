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
    [InlineData(new[] { "--gpus", "1", "--what-if", "colour=red" }, "--what-if 'colour=red'")]
    [InlineData(new[] { "--gpus", "1", "--what-if", "gpus=1,x" }, "gpus must be a whole number, got 'x'")]
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
        var path = Path.Combine(Directory.CreateTempSubdirectory("vgac-batch-").FullName, "jobs.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"gpus": 1}""", "", """{"gpus": 2, "memory_gb": -4}"""], Ct);

        var result = await CliHarness.RunAsync(["predict", "--batch", path], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("line 3: memory_gb must be greater than 0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_BatchFile_Demo_PredictsEveryLine()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vgac-batch-").FullName, "jobs.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"gpus": 1}""", """{"gpus": 8, "gpu_type": "A100", "priority": 10}""", """{"gpus": 4, "namespace": "nlp-team"}"""], Ct);

        var result = await CliHarness.RunAsync(["predict", "--demo", "--batch", path, "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal([1, 8, 4], json.RootElement.EnumerateArray().Select(e => e.GetProperty("spec").GetProperty("gpus").GetInt32()));
    }

    private static string BatchOf(int n) =>
        $$"""{"predictions":[{{string.Join(',', Enumerable.Range(0, n).Select(i => $$"""{"probability_long_wait":0.{{i + 1}},"estimated_wait_seconds":60,"wait_category":"low","confidence":0.8,"is_calibrated":true,"latency_us":50}"""))}}],"count":{{n}}}""";
}
