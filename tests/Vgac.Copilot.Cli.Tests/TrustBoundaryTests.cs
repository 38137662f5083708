using System.Globalization;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The guards trust only their own evidence: an audit counts only for the VGAC it audited, and acting goes only through the configured VGAC.</summary>
public sealed class TrustBoundaryTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CalmAuditOfAnotherVgac_DoesNotLiftTheConfiguredVgacsDrift_AndActingThroughAnotherVgacIsRefused()
    {
        // VGAC reports ECE 0.02, but its own history shows every job predicted at 0.6 waited long: heavy drift.
        await using var drifting = await new ScriptedVgac { Probability = 0.6, FinishedJobs = 600 }.StartAsync(Ct);
        // Another VGAC whose history is calibrated: 60 % of jobs predicted at 0.6 waited long.
        await using var calm = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var script = calm.Script;
        calm.Script = r => r.Path == "/api/jobs/history" ? ScriptedResponse.Json(CalmHistory(600)) : script(r);
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = drifting.BaseAddress.ToString(),
            ["VGAC_AUDIT_DB"] = Path.Combine(TestPaths.NewFolder("trust-"), "audit.db"),
        };

        var watch = await CliHarness.RunAsync(["watch", "--once", "-o", "json"], env, Ct);
        var before = await CliHarness.RunAsync(["actions", "apply", "job-1", "--tier", "1"], env, Ct);
        var calmAudit = await CliHarness.RunAsync(["calibration", "audit", "--live", "--vgac-url", calm.BaseAddress.ToString()], env, Ct);
        var after = await CliHarness.RunAsync(["actions", "apply", "job-1", "--tier", "1"], env, Ct);
        var elsewhere = await CliHarness.RunAsync(["actions", "apply", "job-1", "--tier", "1", "--vgac-url", calm.BaseAddress.ToString()], env, Ct);
        var approveElsewhere = await CliHarness.RunAsync(["actions", "approve", "--all", "--vgac-url", calm.BaseAddress.ToString()], env, Ct);
        var check = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        var trail = await CliHarness.RunAsync(["audit", "-o", "json"], env, Ct);
        foreach (var r in new[] { watch, before, calmAudit, after, elsewhere, approveElsewhere, check })
        {
            output.WriteLine(r.ToString());
        }

        Assert.True(watch.ExitCode == ExitCodes.Success, watch.ToString());
        Assert.Contains("recalibration_required", watch.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ActionRefused, before.ExitCode);
        Assert.True(calmAudit.ExitCode == ExitCodes.Success, calmAudit.ToString());
        Assert.True(after.ExitCode == ExitCodes.ActionRefused, after.ToString());
        Assert.Contains("drift_recalibration_required", after.Out, StringComparison.Ordinal);
        foreach (var refused in new[] { elsewhere, approveElsewhere })
        {
            Assert.True(refused.ExitCode == ExitCodes.UsageError, refused.ToString());
            Assert.Contains("only through its configured VGAC", refused.Error, StringComparison.Ordinal);
        }

        Assert.True(check.ExitCode == ExitCodes.Success, check.ToString());

        // Each audit in the trail names the VGAC it audited.
        var audits = trail.Out.Split('\n').Where(l => l.Contains("\"kind\":\"calibration\"", StringComparison.Ordinal)).ToList();
        Assert.Contains(audits, l => l.Contains(Canonical(drifting), StringComparison.Ordinal));
        Assert.Contains(audits, l => l.Contains(Canonical(calm), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActingCommand_VgacUrlFlagRepeatingTheConfiguredOne_Accepted()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString().TrimEnd('/') };

        // The same VGAC, spelt differently (trailing slash, upper-case host): one VGAC.
        var result = await CliHarness.RunAsync(["actions", "apply", "job-1", "--tier", "1", "--vgac-url", "HTTP://" + vgac.BaseAddress.Authority + "//"], env, Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }

    [Fact]
    public async Task TierActionRenamedInTheEnvironment_EveryCommandRefusesToStart()
    {
        var result = await CliHarness.RunAsync(["predict", "--gpus", "2"], new Dictionary<string, string> { ["Guards__Tiers__0__Action"] = "gate" }, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("Guards:Tiers:0:Action: what a tier does is fixed (tier 1 is annotate); got 'gate'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterWithWeakerGuards_RefusedNamingEach_UnlessAllowed_ThenEveryFaceSaysSo()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var folder = TestPaths.NewFolder("weak-");
        var weak = """{"ConfidenceGate": 0.5, "BaselineEce": 0.9, "Tiers": [{"Tier": 1, "Epsilon": 0.3, "MaxEce": 0.96}]}""";
        var refusedFile = Path.Combine(folder, "refused.json");
        await File.WriteAllTextAsync(refusedFile, $$"""{"Clusters": [{"Name": "gpu", "BaseUrl": "{{vgac.BaseAddress}}", "Guards": {{weak}}}]}""", Ct);
        var allowedFile = Path.Combine(folder, "allowed.json");
        var allowed = """{"AllowWeakerThanDefault": true, "ConfidenceGate": 0.5, "BaselineEce": 0.9, "Tiers": [{"Tier": 1, "Epsilon": 0.3, "MaxEce": 0.96}]}""";
        await File.WriteAllTextAsync(allowedFile, $$"""{"Clusters": [{"Name": "gpu", "BaseUrl": "{{vgac.BaseAddress}}", "Guards": {{allowed}}}]}""", Ct);
        var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = Path.Combine(folder, "audit.db") };

        var refused = await CliHarness.RunAsync(["predict", "--gpus", "2", "--config", refusedFile], env, Ct);
        var config = await CliHarness.RunAsync(["config", "--config", allowedFile], env, Ct);
        var doctor = await CliHarness.RunAsync(["doctor", "--config", allowedFile], env, Ct);
        var watch = await CliHarness.RunAsync(["watch", "--once", "--config", allowedFile], env, Ct);
        var trail = await CliHarness.RunAsync(["audit", "--config", allowedFile], env, Ct);

        Assert.Equal(ExitCodes.UsageError, refused.ExitCode);
        foreach (var named in new[] { "Guards:ConfidenceGate 0.5 (built-in 0.6)", "Guards:BaselineEce 0.9 (built-in 0.018)", "Guards:Tiers:0:MaxEce 0.96 (built-in 0.1)" })
        {
            Assert.Contains(named, refused.Error, StringComparison.Ordinal);
            Assert.Contains(named, config.Out, StringComparison.Ordinal);
            Assert.Contains(named, doctor.Out, StringComparison.Ordinal);
        }

        Assert.True(config.ExitCode == ExitCodes.Success, config.ToString());
        Assert.Contains("WARNING: Clusters:0 (gpu): guards weaker than built-in", config.Out, StringComparison.Ordinal);
        Assert.Contains("WARN  guards       guards weaker than built-in", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("WARNING: guards weaker than built-in", watch.Out + watch.Error, StringComparison.Ordinal);
        var records = trail.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Contains("[guards weaker than built-in (Guards:AllowWeakerThanDefault)", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoClustersWithOneVgacUrl_ConfigurationError()
    {
        var file = Path.Combine(TestPaths.NewFolder("same-url-"), "config.json");
        await File.WriteAllTextAsync(file, """{"Clusters": [{"Name": "a", "BaseUrl": "http://vgac.example:8000/"}, {"Name": "b", "BaseUrl": "HTTP://VGAC.example:8000"}]}""", Ct);

        var result = await CliHarness.RunAsync(["predict", "--gpus", "1", "--config", file], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("clusters 'a' and 'b' name one VGAC (http://vgac.example:8000)", result.Error, StringComparison.Ordinal);
    }

    private static string Canonical(LoopbackServer server) => Core.Calibration.AuditSource.Canonical(server.BaseAddress.ToString());

    /// <summary>Finished jobs predicted at 0.6 of which 3 in 5 waited long: a calibrated model.</summary>
    private static string CalmHistory(int count)
    {
        var jobs = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"job_id":"calm-{{{i}}}","namespace":"ml","state":"succeeded","gpus":4,"cpu":8000,"memory_gb":64,"priority":0,"submit_time":"2026-01-12T{{{i / 60 % 24:00}}}:{{{i % 60:00}}}:00Z","start_time":"2026-01-12T13:00:00Z","wait_seconds":100,"long_wait":{{{(i % 5 < 3 ? "true" : "false")}}},"prediction_at_submit":{"probability_long_wait":0.6,"confidence":0.9,"estimated_wait_seconds":4000,"is_calibrated":true}}"""));
        return $$"""{"jobs":[{{string.Join(',', jobs)}}],"total":{{count}}}""";
    }
}
