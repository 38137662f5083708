using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>Secrets never reach the screen, an error, a JSON output or a log file, and the log folder is the user's alone.</summary>
public sealed class SecretTests
{
    private const string ModelKey = "sk-test-9f8e7d6c5b4a39281706";
    private const string Password = "S3cretPassw0rd";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_ModelEndpointEchoesTheKeyIn401_KeyMaskedOnScreenAndInTheLog()
    {
        await using var model = await LoopbackServer.StartAsync(_ => new ScriptedResponse(401,
            $$$"""{"error":{"message":"Incorrect API key provided: Bearer {{{ModelKey}}}. Authorization: Bearer {{{ModelKey}}}","type":"invalid_request_error"}}"""), Ct);
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        var logs = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-secret-logs-");
        var env = new Dictionary<string, string> { ["VGAC_LLM_API_KEY"] = ModelKey, ["VGAC_LOG_DIR"] = logs };

        var result = await CliHarness.RunAsync(
            ["ask", "--vgac-url", vgac.BaseAddress.ToString(), "--llm-provider", "openai-compatible", "--llm-endpoint", new Uri(model.BaseAddress, "/v1").ToString(), "--llm-model", "m", "why are jobs waiting?"],
            env, Ct);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(ModelKey, result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test", result.Out + result.Error, StringComparison.Ordinal);
        Assert.Contains("***", result.Out + result.Error, StringComparison.Ordinal);
        var logged = string.Concat(Directory.EnumerateFiles(logs, "*.log").Select(File.ReadAllText));
        Assert.DoesNotContain(ModelKey, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlWithUserinfo_ConfigAndPredictErrors_NeverShowThePassword()
    {
        var url = $"http://svc:{Password}@127.0.0.1:1";

        var config = await CliHarness.RunAsync(["config", "--vgac-url", url], cancellationToken: Ct);
        var predict = await CliHarness.RunAsync(["predict", "--vgac-url", url, "--gpus", "1"], cancellationToken: Ct);
        var json = await CliHarness.RunAsync(["predict", "--vgac-url", url, "--gpus", "1", "-o", "json"], cancellationToken: Ct);

        foreach (var r in new[] { config, predict, json })
        {
            Assert.DoesNotContain(Password, r.Out + r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("svc:", r.Out + r.Error, StringComparison.Ordinal);
        }

        Assert.Contains("http://***@127.0.0.1:1", config.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Fallback, predict.ExitCode);
    }

    [Fact]
    public async Task LogFiles_FolderAndFilesReadableByTheUserAlone()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("POSIX permissions");
            return;
        }

        var logs = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-perm-"), "logs");

        await CliHarness.RunAsync(["predict", "--vgac-url", "http://127.0.0.1:1", "--gpus", "1"], new Dictionary<string, string> { ["VGAC_LOG_DIR"] = logs }, Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logs));
        var file = Assert.Single(Directory.EnumerateFiles(logs, "vgac-*.log"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.NotEqual(0, new FileInfo(file).Length);
    }
}
