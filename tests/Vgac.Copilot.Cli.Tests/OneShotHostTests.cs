using System.CommandLine;
using Vgac.Copilot.Cli.Commands;
using Vgac.Copilot.Cli.Hosting;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>
/// Which runs the one-shot <c>vgac</c> (the command library with <see cref="OneShotHost"/>) hands to <c>vgac-full</c>,
/// and what it says when that program is not there. The hand-over itself (the process replacing itself) is tested on
/// the native build, in NativeBuildTests (Vgac.Copilot.Cli.IntegrationTests).
/// </summary>
public sealed class OneShotHostTests
{
    private static CliContext OneShot(TextWriter? error = null) => new(TextWriter.Null, error ?? TextWriter.Null, new Dictionary<string, string>()) { Host = OneShotHost.Instance };

    private static ParseResult Parse(string line) => CliApp.BuildRoot(OneShot()).Parse(line);

    [Theory]
    [InlineData("chat")]
    [InlineData("ask \"why is my job waiting?\"")]
    [InlineData("mcp")]
    [InlineData("mcp --http --port 0")]
    [InlineData("eval --planner offline")]
    [InlineData("record --out cassettes/x")]
    [InlineData("watch --once")]
    [InlineData("sim --port 0")]
    [InlineData("predict --gpus 2 --demo")]
    [InlineData("doctor --demo")]
    [InlineData("calibration audit --live --demo")]
    [InlineData("actions approve p-1 --demo")]
    // What the one-shot program does not carry, it does not judge either: help and usage errors come from vgac-full.
    [InlineData("chat --help")]
    [InlineData("mcp --no-such-flag")]
    [InlineData("sim --port soon")]
    public void HandsOver_AFullProgramCommandOrADemoRun_True(string line) =>
        Assert.True(OneShotHost.Instance.HandsOver(Parse(line)), line);

    [Theory]
    [InlineData("predict --gpus 2")]
    [InlineData("predict --gpus 2 --demo false")]
    [InlineData("doctor")]
    [InlineData("config")]
    [InlineData("calibration audit --live")]
    [InlineData("calibration psi")]
    [InlineData("audit")]
    [InlineData("audit --latest-demo")]
    [InlineData("audit --demo")]
    [InlineData("actions list")]
    [InlineData("storage status")]
    [InlineData("completion bash")]
    [InlineData("")]
    [InlineData("predict --help")]
    [InlineData("predict --gpus many")]
    [InlineData("--version")]
    public void HandsOver_AOneShotCommandItsHelpOrAUsageError_False(string line) =>
        Assert.False(OneShotHost.Instance.HandsOver(Parse(line)), line);

    [Fact]
    public void Tree_BothPrograms_ListTheSameCommandsInTheSameOrderWithTheSameDescriptions()
    {
        var oneShot = CliApp.BuildRoot(OneShot()).Subcommands;
        var full = CliApp.BuildRoot(OneShot() with { Host = FullHost.Instance }).Subcommands;

        Assert.Equal(full.Select(c => (c.Name, c.Description)), oneShot.Select(c => (c.Name, c.Description)));
        Assert.Equal(["chat", "ask", "mcp", "eval", "record", "watch", "sim", "admission"], oneShot.OfType<HandedOverCommand>().Select(c => c.Name));
        Assert.Empty(full.OfType<HandedOverCommand>());
    }

    [Fact]
    public void CommandLibrary_ReferencesOnlyWhatTheOneShotProgramCarries()
    {
        // The library is the one-shot program: a reference to a planner, tool, MCP, simulator, eval or watch assembly
        // would bring that code into it.
        var referenced = typeof(CliApp).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        string[] full = ["Vgac.Copilot.Agent", "Vgac.Copilot.Tools", "Vgac.Copilot.Mcp", "Vgac.Copilot.Simulator", "Vgac.Copilot.Evals", "Vgac.Copilot.Watch",
            "Vgac.Copilot.Actions.Kubernetes", "KubernetesClient.Aot", "Microsoft.SemanticKernel.Core", "ModelContextProtocol", "Microsoft.AspNetCore"];

        Assert.Contains("Vgac.Copilot.Core", referenced);
        Assert.Empty(referenced.Intersect(full));
        Assert.DoesNotContain(typeof(CliApp).Assembly.GetTypes(), t => t.Name is "ChatCommand" or "McpCommand" or "WatchCommand");
    }

    [Fact]
    public async Task HandOver_FullProgramMissing_NamesTheFileAndExitsWithItsCode()
    {
        // The test's own folder has no vgac-full beside it.
        Assert.False(File.Exists(OneShotHost.PathBeside(AppContext.BaseDirectory)));
        using var error = new StringWriter();

        var code = await OneShotHost.Instance.HandOverAsync(["predict", "--gpus", "2", "--demo"], Parse("predict --gpus 2 --demo"), OneShot(error));

        Assert.Equal(ExitCodes.ProgramMissing, code);
        var message = error.ToString();
        Assert.Contains("'predict --demo' runs in the full program", message, StringComparison.Ordinal);
        Assert.Contains(OneShotHost.PathBeside(AppContext.BaseDirectory), message, StringComparison.Ordinal);
        Assert.Contains("Installing vgac", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("doctor", "doctor")]
    [InlineData("actions release 4211", "release")]
    [InlineData("actions apply job-1 --tier 1", "apply")]
    public async Task KubernetesExecutorChosen_RunThatUsesIt_IsHandedOver(string command, string name)
    {
        var env = new Dictionary<string, string> { ["VGAC_EXECUTOR"] = "kubernetes", ["VGAC_API_BASE_URL"] = "http://127.0.0.1:9" };

        var run = await CliHarness.RunAsync(OneShotHost.Instance, command.Split(' '), env, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.ProgramMissing, run.ExitCode);
        Assert.Contains($"'{name}' runs in the full program", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesExecutorChosen_RunThatDoesNotUseIt_StaysInTheOneShotProgram()
    {
        var env = new Dictionary<string, string> { ["VGAC_EXECUTOR"] = "kubernetes" };

        var run = await CliHarness.RunAsync(OneShotHost.Instance, ["actions", "list"], env, TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task RunAsync_CompletionOfAHandedOverCommand_IsHandedOver()
    {
        using var error = new StringWriter();

        var code = await CliApp.RunAsync(["[suggest:15]", "vgac chat --res"], OneShot(error), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.ProgramMissing, code);
        Assert.Contains("'chat' runs in the full program", error.ToString(), StringComparison.Ordinal);
    }
}
