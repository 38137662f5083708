using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>Text from VGAC reaches the terminal inert: no escape sequence survives into any human-readable output.</summary>
public sealed class TerminalSafetyTests
{
    /// <summary>OSC 0 (set title), OSC 52 (write the clipboard), CSI 2J (clear screen), a C1 CSI and a BEL.</summary>
    private const string Hostile = "move to queue b\u001b]0;pwned\u0007\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u009b31m now";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Predict_RecommendationWithEscapeSequences_PrintedWithoutAControlCharacter()
    {
        await using var server = await HostileVgacAsync();

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--gpus", "4"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("move to queue b]0;pwned]52;c;cm0gLXJmIH4=[2J31m now", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');
    }

    [Fact]
    public async Task Predict_BidiOverridesFromAFlagAndFromVgac_ShownEscaped()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path switch
        {
            "/api/predict/wait" => ScriptedResponse.Json("{\"probability_long_wait\":0.8,\"estimated_wait_seconds\":3600,\"wait_category\":\"high\",\"confidence\":0.9,\"is_calibrated\":true,\"recommendation\":\"use queue \u2066b\u2069 \u202Enow\",\"latency_us\":85}"),
            _ => ScriptedResponse.Json("{\"ece\":0.02,\"brier_score\":0.1,\"sample_count\":800,\"recalibration_needed\":false}"),
        }, Ct);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--gpus", "4", "--namespace", "ml\u202Eprod"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("namespace ml<U+202E>prod", result.Out, StringComparison.Ordinal);
        Assert.Contains("use queue <U+2066>b<U+2069> <U+202E>now", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
    }

    [Fact]
    public async Task Predict_Json_KeepsTheTextButEscaped()
    {
        await using var server = await HostileVgacAsync();

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", server.BaseAddress.ToString(), "--gpus", "4", "-o", "json"], cancellationToken: Ct);

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.Equal(Hostile, json.RootElement.GetProperty("recommendation").GetString());
        Assert.DoesNotContain(result.Out, c => char.IsControl(c) && c is not '\n' and not '\r');
    }

    /// <summary>A VGAC whose prediction recommends with <see cref="Hostile"/> text.</summary>
    private static Task<LoopbackServer> HostileVgacAsync()
    {
        var body = System.Text.Json.JsonSerializer.Serialize(Hostile);
        return LoopbackServer.StartAsync(r => r.Path switch
        {
            "/api/predict/wait" => ScriptedResponse.Json($$"""{"probability_long_wait":0.8,"estimated_wait_seconds":3600,"wait_category":"high","confidence":0.9,"is_calibrated":true,"recommendation":{{body}},"latency_us":85}"""),
            _ => ScriptedResponse.Json("""{"ece":0.02,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}"""),
        }, Ct);
    }

    [Fact]
    public async Task Ask_AnswerQuotingAHostileJobReason_ScreenHasNoEscapeSequenceFromIt()
    {
        await using var server = await new ScriptedVgac { Reason = "Insufficient GPUs\u001b]0;owned\u0007\u001b[2J\u009b" }.StartAsync(Ct);

        var result = await CliHarness.RunAsync(["ask", "--vgac-url", server.BaseAddress.ToString(), "why are jobs waiting?"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Insufficient GPUs]0;owned[2J", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');
    }
}
