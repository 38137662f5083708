using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac ask</c> in pipes and scripts: the question from standard input.</summary>
public sealed class AskInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("-")]
    [InlineData(null)]
    public async Task Ask_QuestionPipedIn_AnsweredLikeAnArgument(string? dash)
    {
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        string[] args = dash is null ? ["ask"] : ["ask", dash];

        var result = await CliHarness.RunAsync([.. args, "--vgac-url", vgac.BaseAddress.ToString()], cancellationToken: Ct, input: "why are jobs waiting?\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("jobs are pending", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_NothingPipedIn_UsageErrorSayingHow()
    {
        var result = await CliHarness.RunAsync(["ask", "-"], cancellationToken: Ct, input: "  \n");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("pipe it in", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_HugeInput_RefusedNamingTheLimit()
    {
        var result = await CliHarness.RunAsync(["ask", "-"], cancellationToken: Ct, input: new string('x', 100_000));

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("longer than 4000 characters", result.Error, StringComparison.Ordinal);
    }
}
