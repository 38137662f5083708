namespace Vgac.Copilot.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_ListsCommandsAndTheOptionsEveryCommandTakes()
    {
        var result = await CliHarness.RunAsync(["--help"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (var expected in new[] { "doctor", "config", "completion", "--config", "--log-level" })
        {
            Assert.Contains(expected, result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownFlag_IsUsageErrorOnStderr()
    {
        var result = await CliHarness.RunAsync(["doctor", "--bogus"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--bogus", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    [Theory]
    [InlineData("VGAC_TIMEOUT_SECONDS", "-5", "Vgac:TimeoutSeconds")]
    [InlineData("VGAC_API_BASE_URL", "not-a-url", "Vgac:BaseUrl")]
    [InlineData("Vgac__MaxRetries", "many", "Vgac:MaxRetries")]
    [InlineData("VGAC_LOG_LEVEL", "loud", "Log:ConsoleLevel")]
    public async Task BadConfiguration_ExitsWithUsageErrorAndOneLineNamingTheSetting(string variable, string value, string setting)
    {
        var result = await CliHarness.RunAsync(["doctor"], new Dictionary<string, string> { [variable] = value }, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vgac: ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.Contains(value, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NegativeTimeoutFlag_ExitsWithUsageError()
    {
        var result = await CliHarness.RunAsync(["doctor", "--timeout", "-1"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--timeout", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_FlagBeatsEnvironmentBeatsBuiltIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = "http://from-env:9000", ["VGAC_TIMEOUT_SECONDS"] = "7" };

        var envOnly = await CliHarness.RunAsync(["config"], env, ct);
        var withFlag = await CliHarness.RunAsync(["config", "--vgac-url", "http://from-flag:9001"], env, ct);
        var defaults = await CliHarness.RunAsync(["config"], cancellationToken: ct);

        Assert.Contains("http://localhost:8000", defaults.Out, StringComparison.Ordinal); // built in
        Assert.Contains("http://from-env:9000", envOnly.Out, StringComparison.Ordinal);
        Assert.Matches(@"Vgac:TimeoutSeconds\s+7", envOnly.Out);
        Assert.Contains("http://from-flag:9001", withFlag.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("from-env", withFlag.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithApiKey_NeverPrintsIt()
    {
        var result = await CliHarness.RunAsync(["config"], new Dictionary<string, string> { ["VGAC_API_KEY"] = "sk-do-not-print" }, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("sk-do-not-print", result.Out + result.Error, StringComparison.Ordinal);
        Assert.Contains("(set, hidden)", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "predcit", "--gpus", "2" }, "unknown command or argument 'predcit'; did you mean 'predict'?")]
    [InlineData(new[] { "predict", "--gpu", "2" }, "unknown option '--gpu'; did you mean '--gpus'?")]
    [InlineData(new[] { "actions", "aprove", "prop-1" }, "did you mean 'approve'?")]
    [InlineData(new[] { "predict", "--gpus", "2", "--formt", "json" }, "did you mean '--format'?")]
    public async Task Mistyped_CommandOrOption_UsageErrorWithTheClosestName(string[] args, string expected)
    {
        var result = await CliHarness.RunAsync(args, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("predict", "--gpus", "1")]
    [InlineData("ask", "hello", "--demo")]
    [InlineData("audit", "--check", "-v")]
    [InlineData("actions", "list", "--all")]
    [InlineData("calibration", "audit", "--live")]
    [InlineData("watch", "--once", "--demo")]
    public async Task Format_OneVocabularyEverywhere_UnknownValueIsUsageErrorNamingBoth(string command, string first, string second)
    {
        var result = await CliHarness.RunAsync([command, first, second, "--format", "yaml"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("'yaml' not recognized", result.Error, StringComparison.Ordinal);
        Assert.Contains("'text'", result.Error, StringComparison.Ordinal);
        Assert.Contains("'json'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchJson_EnumsLowerCase()
    {
        await using var vgac = await new Vgac.Copilot.Testing.ScriptedVgac().StartAsync(TestContext.Current.CancellationToken);
        var env = new Dictionary<string, string>
        {
            ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-enum-"), "audit.db"),
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
        };

        var result = await CliHarness.RunAsync(["watch", "--once", "--autonomy", "notify", "-o", "json"], env, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"autonomy\":\"notify\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"drift\":\"stable\"", result.Out, StringComparison.Ordinal);
    }
}
