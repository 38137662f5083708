using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed class SimAndDemoTests
{
    [Fact]
    public async Task Doctor_DemoCluster_TalksToTheEmbeddedSimulatorOverHttp()
    {
        var result = await CliHarness.RunAsync(["doctor", "--demo", "--cluster", "eks"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Matches(@"VGAC at http://127\.0\.0\.1:\d+/ \(cluster eks\)", result.Out);
        Assert.Contains("eks (kubernetes)", result.Out, StringComparison.Ordinal);
        Assert.Contains("model loaded", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_Demo_ChecksBothSimulatedClustersInParallel_OneLineEach_OneVerdict()
    {
        var result = await CliHarness.RunAsync(["doctor", "--demo"], cancellationToken: TestContext.Current.CancellationToken);

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^  (ok  |FAIL)  eks    eks \(kubernetes\): \d+/104 GPUs free", lines[0]);
        Assert.Matches(@"^  (ok  |FAIL)  slurm  slurm \(slurm\): \d+/104 GPUs free", lines[1]);
        var verdict = Assert.Single(lines, l => l.StartsWith("Verdict:", StringComparison.Ordinal));
        var failing = lines.Count(l => l.StartsWith("  FAIL", StringComparison.Ordinal));
        Assert.Equal(failing == 0, result.ExitCode == ExitCodes.Success);
        Assert.Equal(failing == 0, verdict.StartsWith("Verdict: healthy: all 2 clusters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_DemoSlurmCluster_ReportsSlurm_AndItsCalibrationAgainstTheSlo()
    {
        var result = await CliHarness.RunAsync(["doctor", "--demo", "--cluster", "slurm"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("(slurm)", result.Out, StringComparison.Ordinal);
        // One verdict, and it agrees with the exit code: healthy only when the calibration SLO holds too.
        var verdict = Assert.Single(result.Out.Split('\n'), l => l.StartsWith("Verdict:", StringComparison.Ordinal));
        var ece = double.Parse(System.Text.RegularExpressions.Regex.Match(result.Out, @"calibration\s+ECE (\d\.\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ece <= 0.05 ? ExitCodes.Success : ExitCodes.SloFailed, result.ExitCode);
        Assert.Equal(result.ExitCode == ExitCodes.Success, verdict.StartsWith("Verdict: healthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sim_TraceWhoseWarmUpLeavesNoModel_WarnsWhyAndWhatToChange()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(20));

        var result = await CliHarness.RunAsync(["sim", "--port", "0", "--speed", "0", "--trace", TestPaths.DataFile("alibaba-gpu-v2023", "openb_pod_list_default.csv")], cancellationToken: stop.Token);

        Assert.Contains("vgac: warning: the 204 h warm-up saw 2 jobs; the model needs 400 finished ones to fit, so predictions are fallbacks (exit 6)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--trace-start-hours", result.Error, StringComparison.Ordinal);
        Assert.Contains("VGAC simulator listening on", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_StartsWithAQueue_TheFirstQuestionHasWaitingJobsToExplain()
    {
        var result = await CliHarness.RunAsync(["ask", "--demo", "why are jobs waiting?", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var answer = json.RootElement.GetProperty("answer").GetString()!;
        var pending = int.Parse(System.Text.RegularExpressions.Regex.Match(answer, @"(\d+) jobs? (is|are) pending").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pending, 3, 100);
        Assert.Contains("- job-", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_WhatIfJobSize_RowsDiffer_AnEightGpuDistributedJobWaitsLonger()
    {
        // No --gpus: the what-if varies it, so every variant sets it.
        var result = await CliHarness.RunAsync(["predict", "--demo", "--what-if", "gpus=1,2,4,8", "--distributed", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var rows = json.RootElement.EnumerateArray()
            .Select(r => (Gpus: r.GetProperty("spec").GetProperty("gpus").GetInt32(), P: r.GetProperty("probability_long_wait").GetDouble(), Wait: r.GetProperty("estimated_wait_seconds").GetDouble()))
            .ToList();
        Assert.Equal([1, 2, 4, 8], rows.Select(r => r.Gpus));
        Assert.Equal(4, rows.Select(r => r.P).Distinct().Count());
        Assert.True(rows.Zip(rows.Skip(1)).All(pair => pair.Second.P > pair.First.P && pair.Second.Wait > pair.First.Wait), string.Join(", ", rows));
        Assert.True(rows[3].P > 2 * rows[0].P, $"8 GPUs distributed: {rows[3].P}, 1 GPU: {rows[0].P}");
    }

    [Fact]
    public async Task Demo_Predict_ConfidentHasAConformalInterval_LowConfidenceSaysWhyNot()
    {
        var confident = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "2", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);
        var unsure = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "8", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);
        var text = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "2"], cancellationToken: TestContext.Current.CancellationToken);
        var eighty = await CliHarness.RunAsync(["predict", "--demo", "--gpus", "2", "--interval-level", "80", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        using var json = System.Text.Json.JsonDocument.Parse(confident.Out);
        Assert.Equal("confident", json.RootElement.GetProperty("shown_as").GetString());
        var interval = json.RootElement.GetProperty("wait_interval");
        Assert.Equal(0.9, interval.GetProperty("level").GetDouble());
        Assert.InRange(interval.GetProperty("samples").GetInt32(), 100, 1000);
        Assert.True(interval.GetProperty("high_seconds").GetDouble() >= interval.GetProperty("low_seconds").GetDouble());
        Assert.StartsWith("split conformal", interval.GetProperty("method").GetString(), StringComparison.Ordinal);
        using var low = System.Text.Json.JsonDocument.Parse(unsure.Out);
        Assert.Equal("low_confidence", low.RootElement.GetProperty("shown_as").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, low.RootElement.GetProperty("wait_interval").ValueKind);
        Assert.Equal("no interval: the confidence is below the gate", low.RootElement.GetProperty("wait_interval_reason").GetString());
        Assert.Matches(@"Starts\s+(within|in) [\d.]+.* \(90% of jobs like it, \d+ finished jobs behind it; split conformal", text.Out);
        using var at80 = System.Text.Json.JsonDocument.Parse(eighty.Out);
        var narrower = at80.RootElement.GetProperty("wait_interval");
        Assert.Equal(0.8, narrower.GetProperty("level").GetDouble());
        Assert.True(narrower.GetProperty("high_seconds").GetDouble() <= interval.GetProperty("high_seconds").GetDouble());
    }

    [Theory]
    [InlineData("--speed", "-3", "Simulator:Speed")]
    [InlineData("--trace", "/no/such/trace.csv", "Simulator:TracePath")]
    [InlineData("--trace-timing", "sometimes", "Simulator:TraceTiming")]
    [InlineData("--port", "70000", "--port")]
    public async Task Sim_BadOption_ExitsWithUsageErrorNamingIt(string option, string value, string named)
    {
        var result = await CliHarness.RunAsync(["sim", option, value], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sim_MalformedTrace_ExitsWithUsageErrorNamingLine()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-cli-trace-"), "broken.swf");
        await File.WriteAllTextAsync(path, "1 0 0 10 4 -1 -1 4 60 -1 1 1 1 -1 1 -1 -1 -1\n2 5 oops 10 4 -1 -1 4 60 -1 1 1 1 -1 1 -1 -1 -1\n", TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(["sim", "--trace", path, "--trace-timing", "recorded", "--port", "0"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("line 2, column 'wait time'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notes.csv", "when,what\nmonday,meeting\n", "cannot tell the trace format from its content")]
    [InlineData("corrupt.swf.gz", "\u001f\u008b\u0008\u0000not gzip at all", "bad input file")]
    public async Task Sim_TraceThatIsNotOne_UsageErrorNotACrash(string name, string content, string expected)
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-badtrace-"), name);
        await File.WriteAllBytesAsync(path, [.. content.Select(c => (byte)c)], TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(["sim", "--trace", path, "--port", "0"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }
}
