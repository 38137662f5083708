using System.CommandLine;
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
    public void IsNeededFor_EveryCommandOfTheTree_AgreesWithItsDeclaredNeeds()
    {
        // The flag on the command decides, not a list kept here: every leaf command is asked once, bare.
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string>()));
        var leaves = Leaves(root).Where(c => c.Action is not null && c.Arguments.All(a => a.Arity.MinimumNumberOfValues == 0)).ToList();
        Assert.True(leaves.Count > 10, $"only {leaves.Count} commands found");
        foreach (var (command, path) in leaves.Select(c => (c, Path(c))))
        {
            var marked = command is Commands.VgacCommand v && v.Needs.HasFlag(Commands.CommandNeeds.FullProgram);
            var required = command.Options.Where(o => o.Required).Select(o => $"{o.Name} x");
            Assert.Equal(marked, FullProgram.IsNeededFor(Parse(string.Join(' ', [path, .. required]))));
        }

        static IEnumerable<Command> Leaves(Command c) => c.Subcommands.Count == 0 ? [c] : c.Subcommands.SelectMany(Leaves);
        static string Path(Command c) => c.Parents.OfType<Command>().FirstOrDefault() is { Parents: var p } parent && p.Any() ? $"{Path(parent)} {c.Name}" : c.Name;
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
