using System.Text;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>
/// One-shot runs share the calibration and the fitted wait intervals through the data folder, so a script's second
/// <c>vgac predict</c> makes one VGAC call; what is read back is checked, and an audit makes the next run ask again.
/// </summary>
public sealed class SharedCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Predict_SecondRunWithinTheCacheTime_MakesOneVgacCall()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.2, FinishedJobs = 200 }.StartAsync(Ct);
        var env = Environment();

        var first = await Predict(vgac, env);
        var before = vgac.Requests.Count;
        var second = await Predict(vgac, env);

        Assert.Contains(first.Paths, p => p == "/api/jobs/predict/calibration");
        Assert.Contains(first.Paths, p => p == "/api/jobs/history");
        Assert.Equal(["/api/predict/wait"], vgac.Requests.Skip(before).Select(r => r.Path));
        // The same verdict and interval as the run that asked VGAC.
        Assert.Equal(Line(first.Result.Out, "Calibration"), Line(second.Result.Out, "Calibration"));
        Assert.Equal(Line(first.Result.Out, "Starts"), Line(second.Result.Out, "Starts"));
        Assert.Matches(@"^Starts\s+(within|in) \d", Line(second.Result.Out, "Starts"));
    }

    [Theory]
    [InlineData("""{"reported_ece":0.0001,"reported_brier":0.1,"reported_samples":900,"recalibration_needed":false,"audited_samples":0,"fetched_at":"2999-01-01T00:00:00Z"}""")]
    [InlineData("""{"reported_ece":1.5,"reported_brier":0.1,"reported_samples":900,"recalibration_needed":false,"audited_samples":0,"fetched_at":"NOW"}""")]
    [InlineData("""{"reported_ece":0.0001,"reported_brier":0.1,"reported_samples":900,"recalibration_needed":false,"audited_samples":0,"fetched_at":"2020-01-01T00:00:00Z"}""")]
    [InlineData("not json at all")]
    // Well formed, fresh and in range, but planted without the key: a calm calibration during drift.
    [InlineData("""{"reported_ece":0.0001,"reported_brier":0.1,"reported_samples":900,"recalibration_needed":false,"audited_samples":0,"fetched_at":"NOW"}""")]
    public async Task Predict_TamperedCalibrationInTheCache_IgnoredAndAskedAgain(string planted)
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.2, Ece = 0.05 }.StartAsync(Ct);
        var env = Environment();
        await Predict(vgac, env);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(env["VGAC_DATA_DIR"], "cache"), "*-calibration.json"));
        await File.WriteAllTextAsync(file, planted.Replace("NOW", DateTimeOffset.UtcNow.ToString("O"), StringComparison.Ordinal), Encoding.UTF8, Ct);

        var before = vgac.Requests.Count;
        var second = await Predict(vgac, env);

        Assert.Contains(vgac.Requests.Skip(before), r => r.Path == "/api/jobs/predict/calibration");
        Assert.StartsWith("Calibration   ECE 0.050", Line(second.Result.Out, "Calibration"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_AfterAnAudit_JudgesWithTheAuditWithoutAskingAgain()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.2, FinishedJobs = 200 }.StartAsync(Ct);
        var env = Environment();
        await Predict(vgac, env);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(env["VGAC_DATA_DIR"], "cache"), "*-calibration.json"));
        Assert.Contains("\"audited_samples\":0", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        // The audit is recorded in the trail; the status the next run shares carries it.
        var audit = await CliHarness.RunAsync(["calibration", "audit", "--live", "--vgac-url", vgac.BaseAddress.ToString()], env, Ct);
        Assert.True(audit.ExitCode is 0 or ExitCodes.SloFailed, audit.ToString());
        Assert.Contains("\"audited_samples\":200", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        var before = vgac.Requests.Count;
        await Predict(vgac, env);
        Assert.Equal(["/api/predict/wait"], vgac.Requests.Skip(before).Select(r => r.Path));
    }

    private static Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["VGAC_DATA_DIR"] = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-cache-"),
        ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-cache-audit-"), "audit.db"),
    };

    private static async Task<(CliResult Result, List<string> Paths)> Predict(LoopbackServer vgac, Dictionary<string, string> env)
    {
        var before = vgac.Requests.Count;
        var result = await CliHarness.RunAsync(["predict", "--gpus", "4", "--vgac-url", vgac.BaseAddress.ToString()], env, Ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (result, [.. vgac.Requests.Skip(before).Select(r => r.Path)]);
    }

    private static string Line(string output, string label) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).First(l => l.StartsWith(label, StringComparison.Ordinal));

    [Theory]
    [InlineData("", "cbf29ce484222325")]
    [InlineData("a", "af63dc4c8601ec8c")]
    [InlineData("foobar", "85944171f73967e8")]
    public void FileName_Scope_IsItsFnv1aHash(string scope, string expected) =>
        Assert.Equal(expected, Hosting.FileSharedCache.Fnv1a(scope));
}
