using Vgac.Copilot.Cli.Chat;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The REPL's line editor driven key by key (the terminal itself is covered by the tmux tests).</summary>
public sealed class LineEditorTests
{
    private static ConsoleKeyInfo Char(char c) => new(c, c is >= 'a' and <= 'z' ? (ConsoleKey)(char.ToUpperInvariant(c)) : ConsoleKey.NoName, false, false, false);

    private static ConsoleKeyInfo Key(ConsoleKey key, bool control = false, bool alt = false) => new(control ? (char)(key - ConsoleKey.A + 1) : '\0', key, false, alt, control);

    private static IEnumerable<ConsoleKeyInfo> Type(string text) => text.Select(Char);

    private static (LineEditor Editor, StringWriter Output) Editor(IEnumerable<ConsoleKeyInfo> keys, InputHistory? history = null, int width = 40)
    {
        var queue = new Queue<ConsoleKeyInfo>(keys);
        var output = new StringWriter();
        return (new LineEditor(output, () => queue.Dequeue(), () => width, history ?? new InputHistory(), ["/help", "/history", "/save", "/sessions", "/exit"]), output);
    }

    [Fact]
    public void Editing_WordAndLineKeys_ChangeTheTextWhereTheCursorIs()
    {
        var (editor, _) = Editor([
            .. Type("why do jobs wait"), Key(ConsoleKey.W, control: true),         // "why do jobs "
            .. Type("queue"), Key(ConsoleKey.A, control: true), .. Type("so "),    // "so why do jobs queue"
            Key(ConsoleKey.E, control: true), Key(ConsoleKey.B, alt: true), Key(ConsoleKey.K, control: true), // "so why do jobs "
            .. Type("wait?"), Key(ConsoleKey.Home), Key(ConsoleKey.Delete), Key(ConsoleKey.Delete), Key(ConsoleKey.Delete),
            Key(ConsoleKey.Enter)]);

        Assert.Equal("why do jobs wait?", editor.ReadLine("vgac> "));
    }

    [Fact]
    public void CtrlC_ClearsTheLine_CtrlDOnAnEmptyLineEnds()
    {
        var (editor, output) = Editor([.. Type("half a question"), Key(ConsoleKey.C, control: true), Key(ConsoleKey.D, control: true)]);

        Assert.Equal("", editor.ReadLine("vgac> "));
        Assert.Null(editor.ReadLine("vgac> "));
        Assert.Contains("^C", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(editor.History.Entries);
    }

    [Fact]
    public void History_UpDownRecall_CtrlRFindsAnOlderQuestion()
    {
        var history = new InputHistory();
        history.Add("why are jobs waiting?");
        history.Add("is the model calibrated?");
        history.Add("how busy is the cluster?");
        var (editor, output) = Editor([
            Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.Enter),
            Key(ConsoleKey.R, control: true), .. Type("jobs"), Key(ConsoleKey.Enter), Key(ConsoleKey.Enter)], history);

        Assert.Equal("is the model calibrated?", editor.ReadLine("vgac> "));
        Assert.Equal("why are jobs waiting?", editor.ReadLine("vgac> "));
        Assert.Contains("(reverse-i-search)'jobs': why are jobs waiting?", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tab_CompletesSlashCommands_ToTheCommonPartThenTheOne()
    {
        var (editor, output) = Editor([.. Type("/h"), Key(ConsoleKey.Tab), Key(ConsoleKey.Tab), .. Type("e"), Key(ConsoleKey.Tab), Key(ConsoleKey.Enter)]);

        Assert.Equal("/help ", editor.ReadLine("vgac> "));
        Assert.Contains("/help  /history", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingBackslash_ContinuesOnTheNextLine()
    {
        var (editor, output) = Editor([.. Type("predict 8 GPUs \\"), Key(ConsoleKey.Enter), .. Type("in ml-research"), Key(ConsoleKey.Enter)]);

        Assert.Equal("predict 8 GPUs \nin ml-research", editor.ReadLine("vgac> "));
        Assert.Contains("...> ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LongLine_RedrawsFromItsFirstRow_NeverPrintsAPromptPerKeystroke()
    {
        // 120 characters at a width of 40: the line wraps over four rows; each redraw goes back up to the prompt's
        // row (ESC[nA) and clears below it (ESC[J) before writing the prompt again.
        var (editor, output) = Editor([.. Type(new string('a', 120)), Key(ConsoleKey.Backspace), Key(ConsoleKey.Backspace), Key(ConsoleKey.Enter)], width: 40);

        Assert.Equal(new string('a', 118), editor.ReadLine("vgac> "));
        var redraws = output.ToString().Split("\u001b[J").Skip(1).ToList();
        Assert.All(redraws, r => Assert.StartsWith("vgac> ", r, StringComparison.Ordinal));
        // Once the text reaches the second row, every redraw starts by moving up to the prompt's row.
        Assert.Contains("\u001b[3A\r\u001b[J", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void InputHistory_PersistsAcrossRestarts_CappedOwnerOnly_SecretsMasked()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-history-"), "history");
        var secrets = new Core.Text.SecretRedactor();
        secrets.Learn(["hunter2-very-secret"]);
        var first = new InputHistory(path, secrets);
        for (var i = 0; i < InputHistory.Limit + 5; i++)
        {
            first.Add($"question {i}");
        }

        first.Add("my key is hunter2-very-secret");

        var second = new InputHistory(path, secrets);
        Assert.Equal(InputHistory.Limit, second.Entries.Count);
        Assert.Equal("question 6", second.Entries[0]);
        Assert.DoesNotContain("hunter2-very-secret", File.ReadAllText(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}

public sealed class WordWrapTests
{
    [Fact]
    public void StreamedPieces_WrapAtWordBoundaries_NeverInsideAWord()
    {
        var wrap = new WordWrap(20);
        var pieces = new[] { "Six jobs are pen", "ding and the oldest ", "has waited thirty-two minutes.\nNext line." };

        var text = string.Concat(pieces.Select(wrap.Next));

        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 20 || !l.Contains(' ', StringComparison.Ordinal), $"'{l}' is longer than 20"));
        Assert.Contains("thirty-two", text, StringComparison.Ordinal);
        Assert.Contains("Next line.", lines);
        Assert.Equal("Six jobs are pending and the oldest has waited thirty-two minutes. Next line.", text.Replace('\n', ' ').Replace("  ", " ", StringComparison.Ordinal));
    }

    [Fact]
    public void NotATerminal_TextPassesUnchanged()
    {
        Assert.Equal("a b  c\nd", new WordWrap(int.MaxValue).Next("a b  c\nd"));
    }
}
