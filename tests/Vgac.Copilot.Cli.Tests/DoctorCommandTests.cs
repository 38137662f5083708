using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed class DoctorCommandTests
{
    private static ScriptedResponse Healthy(RecordedRequest request) => request.Path switch
    {
        "/api/predict/health" => ScriptedResponse.Json("""{"status":"healthy","model_loaded":true,"model_version":"v3"}"""),
        "/api/cluster/summary" => ScriptedResponse.Json("""{"cluster_id":"eks-prod-gpu","scheduler_type":"kubernetes","total_nodes":4,"ready_nodes":4,"total_gpus":32,"available_gpus":12,"gpu_utilization":0.78,"pending_jobs":12,"running_jobs":8,"queue_depth":12}"""),
        "/api/jobs/predict/calibration" => ScriptedResponse.Json("""{"ece":0.018,"brier_score":0.12,"sample_count":1847,"recalibration_needed":false}"""),
        _ => new ScriptedResponse(404, """{"detail":"Not Found"}"""),
    };

    [Fact]
    public async Task Doctor_HealthyVgac_ReportsEachCheckAndExitsZero()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(Healthy, ct);

        var result = await CliHarness.RunAsync(["doctor", "--vgac-url", server.BaseAddress.ToString()], cancellationToken: ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("12/32 GPUs free", result.Out, StringComparison.Ordinal);
        Assert.Contains("ECE 0.018 over 1847 samples", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"ok    store        sqlite at .*audit\.db, (no trail yet|schema version \d+)", result.Out);
        Assert.Contains("Verdict: healthy", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_StoreUnreachable_SaysSoAfterVgacsChecks_Exit13_NoPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(Healthy, ct);
        var env = new Dictionary<string, string>
        {
            ["VGAC_STORAGE_PROVIDER"] = "postgres",
            ["VGAC_STORAGE_CONNECTION"] = "Host=127.0.0.1;Port=1;Database=vgac;Username=vgac_app;Password=doctor-pg-secret;Timeout=2",
        };

        var result = await CliHarness.RunAsync(["doctor", "--vgac-url", server.BaseAddress.ToString()], env, ct);

        Assert.Equal(ExitCodes.StoreUnavailable, result.ExitCode);
        Assert.Contains("ok    calibration", result.Out, StringComparison.Ordinal);
        Assert.Contains("FAIL  store        the PostgreSQL store at postgres://127.0.0.1:1/vgac could not be reached", result.Out, StringComparison.Ordinal);
        Assert.Contains("Verdict: VGAC answers, but the store cannot be used", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("doctor-pg-secret", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_CalibrationBreaksTheSlo_ReportsItInsteadOfHealthy_Exit12()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(request => request.Path == "/api/jobs/predict/calibration"
            ? ScriptedResponse.Json("""{"ece":0.09,"brier_score":0.12,"sample_count":1847,"recalibration_needed":false}""")
            : Healthy(request), ct);

        var result = await CliHarness.RunAsync(["doctor", "--vgac-url", server.BaseAddress.ToString()], cancellationToken: ct);

        Assert.Equal(ExitCodes.SloFailed, result.ExitCode);
        Assert.Contains("FAIL  slo          ECE 0.090 against a limit of 0.050", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("healthy: every endpoint", result.Out, StringComparison.Ordinal);
        Assert.Single(result.Out.Split('\n'), l => l.StartsWith("Verdict:", StringComparison.Ordinal));
        Assert.Contains("Verdict: VGAC answers, but the calibration SLO failed", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_CopilotsOwnAuditIsWorse_JudgesAsTheGuardsDo_NotOnVgacsFigureAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(Healthy, ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-doctor-audit-"), "audit.db");
        // A live audit made earlier (as 'vgac calibration audit --live' records it) found the model far worse than VGAC says.
        var url = server.BaseAddress.ToString();
        await new Vgac.Copilot.Actions.TrailCalibrationAudits(
                new Vgac.Copilot.Audit.AuditStore(new Vgac.Copilot.Storage.Sqlite.SqliteAuditBackend(db)), new Vgac.Copilot.Actions.SettableWatchClock(DateTimeOffset.UtcNow),
                Microsoft.Extensions.Options.Options.Create(new Client.VgacClientOptions { BaseUrl = url }), Microsoft.Extensions.Options.Options.Create(new Core.Guards.GuardOptions()))
            .RecordAsync(0.09, 1000, null, new Core.Calibration.AuditSource(Core.Calibration.AuditSource.Canonical(url)), ct);

        var result = await CliHarness.RunAsync(["doctor", "--vgac-url", server.BaseAddress.ToString()], new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = db }, ct);

        Assert.Equal(ExitCodes.SloFailed, result.ExitCode);
        Assert.Contains("ECE 0.090 (the worse of VGAC's 0.018 and the copilot's audit 0.090) against a limit of 0.050", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Verdict: healthy", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_VgacDown_ExitsUnavailable()
    {
        var result = await CliHarness.RunAsync(["doctor", "--vgac-url", "http://127.0.0.1:1", "--timeout", "2"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.VgacUnavailable, result.ExitCode);
        Assert.Contains("unavailable", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_WithApiKeyAndFailingServer_KeyIsOnTheWireButNotInLogFileOrOutput()
    {
        var ct = TestContext.Current.CancellationToken;
        const string secret = "vgac-secret-9b8a7c6d";
        var logDir = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-log-");
        await using var server = await LoopbackServer.StartAsync(r => new ScriptedResponse(500, $$"""{"detail":"rejected {{r.Headers.GetValueOrDefault("Authorization")}}"}"""), ct);

        var result = await CliHarness.RunAsync(
            ["doctor", "--vgac-url", server.BaseAddress.ToString(), "--log-level", "trace"],
            new Dictionary<string, string> { ["VGAC_API_KEY"] = secret, ["VGAC_LOG_DIR"] = logDir, ["Log__FileLevel"] = "trace" },
            ct);

        Assert.Equal(ExitCodes.VgacError, result.ExitCode);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {secret}", r.Headers["Authorization"]));
        var logText = string.Concat(Directory.GetFiles(logDir).Select(f => ReadShared(f)));
        Assert.Contains("/api/cluster/summary", logText, StringComparison.Ordinal); // the file really holds the calls
        Assert.DoesNotContain(secret, logText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Out + result.Error, StringComparison.Ordinal);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
