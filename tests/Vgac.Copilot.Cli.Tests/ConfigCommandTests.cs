using System.Text.Json;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac config</c> and the user's configuration file: every value, where it came from, and what is wrong with it.</summary>
public sealed class ConfigCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Config_Json_EveryLayerInOrder_EachValueWithItsSource_SecretsMasked()
    {
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-xdg-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        await File.WriteAllTextAsync(Path.Combine(home, "vgac", "config.json"), """{"Vgac": {"MaxRetries": 5}, "Watch": {"IntervalSeconds": 10}, "Mcp": {"AllowActions": true}}""", Ct);
        var extra = Path.Combine(home, "extra.json");
        await File.WriteAllTextAsync(extra, """{"Watch": {"IntervalSeconds": 20}}""", Ct);
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home, ["VGAC_API_KEY"] = "vgac-key-must-not-show", ["Llm__Model"] = "qwen2.5" };

        var result = await CliHarness.RunAsync(["config", "--config", extra, "--timeout", "7", "--format", "json"], env, Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.DoesNotContain("vgac-key-must-not-show", result.Out, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(["defaults", "user", "--config"], json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("role").GetString()));
        var settings = json.RootElement.GetProperty("settings").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!, s => (Value: s.GetProperty("value").GetString(), Source: s.GetProperty("source").GetString()));
        Assert.Equal(("5", "user config"), settings["Vgac:MaxRetries"]);
        Assert.Equal(("20", "--config file"), settings["Watch:IntervalSeconds"]);
        Assert.Equal(("7", "flag --timeout"), settings["Vgac:TimeoutSeconds"]);
        Assert.Equal(("(set, hidden)", "environment VGAC_API_KEY"), settings["Vgac:ApiKey"]);
        Assert.Equal(("qwen2.5", "environment Llm__Model"), settings["Llm:Model"]);
        Assert.Equal(("true", "user config"), settings["Mcp:AllowActions"]);
        Assert.Equal(("0.6", "built-in"), settings["Guards:ConfidenceGate"]);
        Assert.Equal(("(not set)", "built-in"), settings["Watch:Webhook:Url"]);
        Assert.Equal(["Vgac", "Llm", "Guards", "Watch", "Storage", "Mcp", "Log", "Chat", "DefaultCluster"], settings.Keys.Select(k => k.Split(':')[0]).Distinct());
    }

    [Fact]
    public async Task Config_Invalid_StillShowsEveryValue_WithTheErrorBesideIt_AndExits2()
    {
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-xdg-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        await File.WriteAllTextAsync(Path.Combine(home, "vgac", "config.json"), """{"Vgac": {"TimeoutSeconds": "soon"}, "Guards": {"ConfidenceGate": 0.3}, "Log": {"ConsoleLevel": "loud"}}""", Ct);

        var result = await CliHarness.RunAsync(["config", "-o", "json"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, Ct);
        var text = await CliHarness.RunAsync(["config"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, Ct);
        var command = await CliHarness.RunAsync(["predict", "--gpus", "1"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var errors = json.RootElement.GetProperty("settings").EnumerateArray()
            .Where(s => s.GetProperty("error").ValueKind == JsonValueKind.String)
            .ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("error").GetString()!);
        Assert.Equal("Vgac:TimeoutSeconds (VGAC_TIMEOUT_SECONDS, --timeout) must be a number, got 'soon'.", errors["Vgac:TimeoutSeconds"]);
        Assert.Contains("must be in [0.5, 1], got 0.3", errors["Guards:ConfidenceGate"], StringComparison.Ordinal);
        Assert.Contains("'loud'", errors["Log:ConsoleLevel"], StringComparison.Ordinal);
        Assert.Contains("3 problems", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"Guards:ConfidenceGate\s+0\.3\s+user config\s*\n\s+error: Guards:ConfidenceGate must be in", text.Out);
        // Every other command refuses to start on the same configuration, naming a problem.
        Assert.Equal(ExitCodes.UsageError, command.ExitCode);
        Assert.Matches("Log:ConsoleLevel|Vgac:TimeoutSeconds|Guards:ConfidenceGate", command.Error);
    }

    [Fact]
    public async Task Config_UserFileNotJson_IsReportedByPath_AndTheRestIsShown()
    {
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-xdg-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        var path = Path.Combine(home, "vgac", "config.json");
        await File.WriteAllTextAsync(path, """{"Vgac": {"BaseUrl": """, Ct);

        var result = await CliHarness.RunAsync(["config"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, Ct);
        var doctor = await CliHarness.RunAsync(["doctor"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains($"error: configuration file '{path}' cannot be read", result.Out, StringComparison.Ordinal);
        Assert.Contains("Vgac:BaseUrl", result.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, doctor.ExitCode);
        Assert.Contains($"configuration file '{path}' cannot be read", doctor.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserConfig_IsUsedByEveryCommand_AndFlagsStillWin()
    {
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json("""{"probability_long_wait":0.2,"estimated_wait_seconds":60,"wait_category":"low","confidence":0.9,"is_calibrated":true,"latency_us":40}"""), Ct);
        await using var other = await LoopbackServer.StartAsync(_ => new ScriptedResponse(500), Ct);
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-home-");
        Directory.CreateDirectory(Path.Combine(home, ".config", "vgac"));
        await File.WriteAllTextAsync(Path.Combine(home, ".config", "vgac", "config.json"), $$$"""{"Vgac": {"BaseUrl": "{{{other.BaseAddress}}}", "MaxRetries": 0}}""", Ct);
        var env = new Dictionary<string, string> { ["HOME"] = home, ["XDG_CONFIG_HOME"] = "" };

        var fromFile = await CliHarness.RunAsync(["predict", "--gpus", "1", "-o", "json"], env, Ct);
        var fromFlag = await CliHarness.RunAsync(["predict", "--gpus", "1", "-o", "json", "--vgac-url", server.BaseAddress.ToString()], env, Ct);

        Assert.NotEmpty(other.Requests);
        Assert.Equal(ExitCodes.Fallback, fromFile.ExitCode);
        Assert.True(fromFlag.ExitCode == ExitCodes.Success, fromFlag.ToString());
        Assert.Single(server.Requests, r => r.Path == "/api/predict/wait");
    }

    [Theory]
    [InlineData("/x/config-home", "/home/u", "/x/config-home/vgac/config.json")]
    [InlineData(null, "/home/u", "/home/u/.config/vgac/config.json")]
    [InlineData("relative/not-allowed", "/home/u", "/home/u/.config/vgac/config.json")]
    [InlineData(null, null, null)]
    public void UserConfigPath_XdgFirstThenHome(string? xdg, string? home, string? expected)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Windows uses %APPDATA%.");
        var env = new Dictionary<string, string>();
        if (xdg is not null)
        {
            env["XDG_CONFIG_HOME"] = xdg;
        }

        if (home is not null)
        {
            env["HOME"] = home;
        }

        Assert.Equal(expected, CopilotConfiguration.UserConfigPath(env));
    }
}
