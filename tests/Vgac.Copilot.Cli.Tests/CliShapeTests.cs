using System.CommandLine;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The command line's shape: every command a class over one base, shared flags only where they apply, help with examples, completion.</summary>
public sealed class CliShapeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEnumerable<Command> All(Command command) => command.Subcommands.SelectMany(All).Prepend(command);

    private static Command Root() => CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string>()) { Host = Hosting.FullHost.Instance });

    [Fact]
    public void EveryCommand_IsAVgacCommandOrAGroupOfThem()
    {
        var commands = All(Root()).Skip(1).ToList();

        Assert.All(commands, c => Assert.True(c is VgacCommand or CommandGroup, $"{c.Name} is a {c.GetType().Name}"));
        Assert.All(commands.OfType<CommandGroup>(), g => Assert.All(g.Subcommands, s => Assert.IsAssignableFrom<VgacCommand>(s)));
        // One --format vocabulary: every --format is text|json; only predict, whose answer fits a line, adds line.
        Assert.All(commands.Where(c => c.Name != "predict").SelectMany(c => c.Options).Where(o => o.Name == "--format"), o => Assert.Equal("text|json", o.HelpName));
        Assert.Equal("text|json|line", commands.Single(c => c.Name == "predict").Options.Single(o => o.Name == "--format").HelpName);
    }

    [Theory]
    [InlineData("sim", false, false)]
    [InlineData("eval", false, true)]
    [InlineData("audit", false, false)]
    [InlineData("predict", true, false)]
    [InlineData("doctor", true, false)]
    [InlineData("ask", true, true)]
    [InlineData("chat", true, true)]
    [InlineData("mcp", true, false)]
    public void SharedFlags_OnlyWhereTheyApply(string name, bool reachesVgac, bool asksAModel)
    {
        var command = Root().Subcommands.Single(c => c.Name == name);
        var options = command.Options.Select(o => o.Name).ToHashSet();

        // --demo starts the simulator where VGAC is reached; on the trail's readers it opens the latest demo trail.
        Assert.Equal(reachesVgac, command.Options.Contains(GlobalOptions.Demo));
        Assert.Equal(reachesVgac || name == "audit", options.Contains("--demo"));
        Assert.Equal(reachesVgac, options.Contains("--vgac-url"));
        Assert.Equal(asksAModel, options.Contains("--llm-provider"));
    }

    [Theory]
    [InlineData("sim", "--demo")]
    [InlineData("sim", "--llm-model")]
    [InlineData("audit", "--vgac-url")]
    [InlineData("calibration psi", "--demo")]
    [InlineData("eval", "--demo")]
    public async Task SharedFlag_OnACommandItDoesNotApplyTo_IsAUsageError(string command, string flag)
    {
        var result = await CliHarness.RunAsync([.. command.Split(' '), flag, "x"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains($"unknown option '{flag}'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_EveryLeafCommandShowsExamples_WithoutWrappingWhenNotATerminal()
    {
        foreach (var name in new[] { "predict", "ask", "watch", "sim", "eval", "config", "completion" })
        {
            var result = await CliHarness.RunAsync([name, "--help"], cancellationToken: Ct);

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            var examples = result.Out[result.Out.IndexOf("Examples:", StringComparison.Ordinal)..];
            Assert.Contains($"  vgac {name}", examples, StringComparison.Ordinal);
        }

        // A long description stays on one line in a pipe (help wraps at the terminal's width only at a terminal).
        var sim = await CliHarness.RunAsync(["sim", "--help"], cancellationToken: Ct);
        Assert.Contains("Replay a trace: Alibaba GPU v2023 pod list, VGAC Slurm dataset CSV, or SWF (.swf/.swf.gz).", sim.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "predict", "--timeout", "soon", "--gpus", "1" }, "--timeout: expected a number, got 'soon'.")]
    [InlineData(new[] { "watch", "--cycles", "many" }, "--cycles: expected a whole number, got 'many'.")]
    [InlineData(new[] { "calibration", "audit", "--bins", "ten" }, "--bins: expected a whole number, got 'ten'.")]
    public async Task BadFlagValue_SaysWhatWasExpected_NoTypeNames(string[] args, string message)
    {
        var result = await CliHarness.RunAsync(args, cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zsh", "compdef _vgac vgac")]
    [InlineData("powershell", "Register-ArgumentCompleter -Native -CommandName vgac")]
    public async Task Completion_OtherShells_AskTheProgramWithTheSuggestDirective(string shell, string registration)
    {
        var result = await CliHarness.RunAsync(["completion", shell], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(registration, result.Out, StringComparison.Ordinal);
        Assert.Contains("[suggest:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalibrationAuditLive_PrintsOneVerdict_TheGuards()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit", "--live", "--demo"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var verdict = Assert.Single(result.Out.Split('\n'), l => l.StartsWith("Verdict:", StringComparison.Ordinal));
        Assert.Matches(@"^Verdict: SLOs (met|failed .*: reported, they hold nothing back)\. Drift judged on ECE [\d.]+ \([\d.]+x the 0\.018 baseline\): (stable|monitor|reduce autonomy|recalibration required)\. (Tiers? [\d-]+ .* may act|Only tier 1 \(annotate\) may act|No tier may act)", verdict);
        // The tiers above the verdict are the verdict's: as many may act as it says.
        var mayAct = result.Out.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^    \d \w+ +ECE <= [\d.]+ +may act"));
        Assert.Equal(verdict.Contains("No tier may act", StringComparison.Ordinal) ? 0 : verdict.Contains("Only tier 1", StringComparison.Ordinal) ? 1 : mayAct, mayAct);
        Assert.DoesNotContain(result.Out.Split('\n'), l => l.Contains("drift is judged on", StringComparison.Ordinal) && !verdict.Contains(System.Text.RegularExpressions.Regex.Match(l, @"judged on ([\d.]+)").Groups[1].Value, StringComparison.Ordinal));
        Assert.DoesNotContain("Guards use:", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Qualifies up to tier", result.Out, StringComparison.Ordinal);
    }
}
