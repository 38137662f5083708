using System.CommandLine;
using System.Reflection;
using System.Runtime.CompilerServices;
using Vgac.Copilot.Cli.Hosting;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>
/// Which runs the native one-shot <c>vgac</c> hands to <c>vgac-full</c>, and what it says when that program is not
/// there. The hand-over itself (the process replacing itself) is tested on the native build, in
/// <see cref="NativeBuildTests"/>.
/// </summary>
public sealed class FullProgramTests
{
    private static ParseResult Parse(string line) =>
        CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string>())).Parse(line);

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
    public void IsNeededFor_APlannerServerSimulatorOrDemoRun_True(string line) =>
        Assert.True(FullProgram.IsNeededFor(Parse(line)), line);

    [Theory]
    [InlineData("predict --gpus 2")]
    [InlineData("predict --gpus 2 --demo false")]
    [InlineData("doctor")]
    [InlineData("config")]
    [InlineData("calibration audit --live")]
    [InlineData("calibration psi")]
    [InlineData("audit")]
    [InlineData("audit --latest-demo")]
    [InlineData("actions list")]
    [InlineData("storage status")]
    [InlineData("completion bash")]
    [InlineData("")]
    // Help, version and usage errors come from the one-shot build, which has every command's definition.
    [InlineData("chat --help")]
    [InlineData("mcp --no-such-flag")]
    [InlineData("sim --port soon")]
    [InlineData("--version")]
    public void IsNeededFor_AOneShotCommandHelpOrAUsageError_False(string line) =>
        Assert.False(FullProgram.IsNeededFor(Parse(line)), line);

    [Fact]
    public void FullProgramCommands_OverrideNoHookWithAnAsyncMethod_SoTheOneShotBuildDropsTheirBodies()
    {
        // The one-shot build leaves a command's body out only when the check is in a plain method: in an async one,
        // the state machine's resumption points reach the code after each await past the check (CommandNeeds.FullProgram).
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string>()));
        var marked = All(root).OfType<Commands.VgacCommand>().Where(c => c.Needs.HasFlag(Commands.CommandNeeds.FullProgram)).ToList();
        Assert.Equal(["chat", "ask", "mcp", "eval", "record", "watch", "sim"], marked.Select(c => c.Name));

        string[] hooks = ["ExecuteAsync", "InvokeAsync", "ConfigureServices"];
        var overrides = marked
            .SelectMany(c => c.GetType().GetMethods(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => hooks.Contains(m.Name))
            .ToList();
        Assert.True(overrides.Count >= marked.Count, $"only {overrides.Count} overrides found");
        var asynchronous = overrides.Where(m => m.GetCustomAttribute<AsyncStateMachineAttribute>() is not null).Select(m => $"{m.DeclaringType!.Name}.{m.Name}");
        Assert.Empty(asynchronous);

        static IEnumerable<Command> All(Command c) => c.Subcommands.SelectMany(All).Prepend(c);
    }

    [Fact]
    public async Task RunAsync_FullProgramMissing_NamesTheFileAndExitsWithItsCode()
    {
        // The test's own folder has no vgac-full beside it.
        Assert.False(File.Exists(FullProgram.PathBeside(AppContext.BaseDirectory)));
        using var error = new StringWriter();
        var context = new CliContext(TextWriter.Null, error, new Dictionary<string, string>());

        var code = await FullProgram.RunAsync(["predict", "--gpus", "2", "--demo"], Parse("predict --gpus 2 --demo"), context);

        Assert.Equal(ExitCodes.ProgramMissing, code);
        var message = error.ToString();
        Assert.Contains("'predict --demo' runs in the full program", message, StringComparison.Ordinal);
        Assert.Contains(FullProgram.PathBeside(AppContext.BaseDirectory), message, StringComparison.Ordinal);
        Assert.Contains("Installing vgac", message, StringComparison.Ordinal);
    }
}
