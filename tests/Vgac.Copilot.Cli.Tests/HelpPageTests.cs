using Vgac.Copilot.Cli.Output;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>--help</c> pages, the <c>--version</c> line and the <c>[suggest:N]</c> directive, answered by the program's own root flags.</summary>
public sealed class HelpPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Page(string[] args, int width)
    {
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string>()) { Host = Hosting.FullHost.Instance });
        using var page = new StringWriter();
        HelpPage.Write(page, root.Parse(args).CommandResult, width);
        return page.ToString();
    }

    private static List<string> Section(string page, string title)
    {
        var lines = page.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        return [.. lines.Skip(lines.IndexOf(title) + 1).TakeWhile(l => l.Length > 0)];
    }

    [Fact]
    public void Subcommand_ListsItsOwnOptionsApartFromTheGlobalOnes_HelpOnceAndHiddenOnesNever()
    {
        var page = Page(["mcp"], int.MaxValue);

        var own = Section(page, "Options:");
        var global = Section(page, "Global options:");
        Assert.Contains(own, l => l.StartsWith("  --http ", StringComparison.Ordinal));
        Assert.DoesNotContain(own, l => l.Contains("--config", StringComparison.Ordinal));
        Assert.Equal(["--config", "--log-level", "-v, --verbose", "--cluster", "-?, -h, --help"], global.Select(l => l.Trim().Split("  ")[0].Split(" <")[0]));
        // --token is hidden (it is refused: a token on the command line shows in 'ps').
        Assert.DoesNotContain("--token ", page, StringComparison.Ordinal);
        Assert.StartsWith("Usage:\n  vgac mcp [options]\n", page[page.IndexOf("Usage:", StringComparison.Ordinal)..].ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Root_ListsGlobalOptionsAsItsOwn_WithVersion_AndCommandsWithTheirArguments()
    {
        var page = Page([], int.MaxValue);

        Assert.DoesNotContain("Global options:", page, StringComparison.Ordinal);
        Assert.Equal("--version", Section(page, "Options:")[^1].Trim().Split("  ")[0]);
        var commands = Section(page, "Commands:").Select(l => l.Trim().Split("  ")[0]).ToList();
        Assert.Contains("ask [<question>]", commands);
        Assert.Contains("completion <shell>", commands);
        Assert.Contains("actions", commands);
    }

    [Fact]
    public void Defaults_ShownWhereTheDescriptionDoesNotSayThem_NeverForAFlagsFalse()
    {
        var sim = Page(["sim"], int.MaxValue);
        var mcp = Page(["mcp"], int.MaxValue);

        Assert.Matches(@"--port <port> +Port to listen on \(0 picks a free one\)\. \[default: 8000\]", sim);
        // Its description already says "(default 3001; ...)": not said twice.
        Assert.DoesNotContain("[default: 3001]", mcp, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: False]", mcp + sim, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NarrowTerminal_WrapsEachDescriptionUnderItsOwnColumn()
    {
        var page = Page(["actions", "apply"], 72);

        var lines = page.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 72, $"{l.Length} columns: {l}"));
        // The description's continuation lines start where the description column does.
        var audit = lines.FindIndex(l => l.TrimStart().StartsWith("--audit-db <path>", StringComparison.Ordinal));
        var column = lines[audit].IndexOf("An SQLite", StringComparison.Ordinal);
        Assert.True(column > 0);
        Assert.Equal(new string(' ', column), lines[audit + 1][..column]);
        Assert.NotEqual(' ', lines[audit + 1][column]);
        Assert.Contains("--tier <1-4> (REQUIRED)", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrap_PacksWordsAndKeepsAnOverlongWordWhole()
    {
        Assert.Equal(["one two", "three", "averyveryverylongword", "four"], HelpPage.Wrap("one two three averyveryverylongword four", 8));
        Assert.Equal(["fits"], HelpPage.Wrap("fits", 80));
        Assert.Empty(HelpPage.Wrap(string.Empty, 80));
    }

    [Fact]
    public async Task HelpBesideABadValue_ShowsTheHelp_NotTheError()
    {
        var result = await CliHarness.RunAsync(["predict", "--timeout", "soon", "--help"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task Version_PrintsNameVersionAndCommit()
    {
        var result = await CliHarness.RunAsync(["--version"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^vgac \d+\.\d+\.\d+\S* \(commit [0-9a-f]{1,12}\)\s*$|^vgac \d+\.\d+\.\d+\S*\s*$", result.Out);
    }

    [Theory]
    [InlineData("[suggest:16]", "vgac predict --g", new[] { "--gpu-type", "--gpus" })]
    [InlineData("[suggest:8]", "vgac pre", new[] { "predict" })]
    [InlineData("[suggest:13]", "vgac actions ap", new[] { "apply", "approve" })]
    public async Task SuggestDirective_CompletesTheWordAtThePosition(string directive, string line, string[] expected)
    {
        var result = await CliHarness.RunAsync([directive, line], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(expected, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task SuggestDirective_WithoutAPosition_CompletesAfterTheWholeLine()
    {
        var result = await CliHarness.RunAsync(["[suggest]", "vgac completion "], cancellationToken: Ct);

        var offered = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["bash", "powershell", "zsh"], offered.Where(o => !o.StartsWith('-')));
        Assert.Contains("--help", offered);
    }
}
