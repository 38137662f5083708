using System.Text.RegularExpressions;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>vgac chat</c> at a real pseudo-terminal (tmux, 120x40), driven by keys as a person types them: long lines
/// edited in place, Ctrl+C cancelling only the answer, history kept across restarts and searched with Ctrl+R.
/// </summary>
public sealed class TerminalReplTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A run's environment at the terminal: every folder it writes in <paramref name="data"/>, and VGAC answering after <paramref name="latencyMs"/>.</summary>
    internal static Dictionary<string, string> Environment(string data, int latencyMs) => new()
    {
        ["VGAC_DATA_DIR"] = data,
        ["VGAC_LOG_DIR"] = Path.Combine(data, "logs"),
        ["XDG_CONFIG_HOME"] = Path.Combine(data, "config"),
        ["VGAC_AUDIT_DB"] = Path.Combine(data, "audit.db"),
        ["Simulator__Faults__LatencyMs"] = latencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        ["HOME"] = data,
        ["DOTNET_CLI_HOME"] = data,
    };

    private static int Prompts(string screen) => Regex.Matches(screen, @"^vgac\[eks\]>( |$)", RegexOptions.Multiline).Count;

    [Fact]
    public async Task Repl_LongLineEditedInPlace_CtrlCCancelsOnlyTheAnswer_HistorySurvivesARestart()
    {
        Assert.SkipUnless(TmuxSession.Available, "tmux is not installed (.ci/run installs it)");
        var data = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-pty-");
        string[] chat = ["dotnet", CliProcess.VgacDll, "chat", "--demo"];

        await using (var tmux = await TmuxSession.StartAsync(chat, Environment(data, latencyMs: 3000), data))
        {
            await tmux.WaitForAsync(s => Prompts(s) == 1, Patience, "the first prompt");

            // A 300-character question wraps over three rows; 40 Backspaces later there is still one prompt line.
            await tmux.TypeAsync(string.Concat(Enumerable.Repeat("how long would a job wait ", 12)));
            await tmux.PressAsync([.. Enumerable.Repeat("BSpace", 40)]);
            var edited = await tmux.WaitForAsync(s => s.Contains("how long would a jo", StringComparison.Ordinal) && !s.Contains("a job wait how long would a job wait \n", StringComparison.Ordinal), Patience, "the edited line");
            Assert.Equal(1, Prompts(edited));
            await tmux.PressAsync("C-u");
            await tmux.WaitForAsync(s => Regex.IsMatch(s, @"^vgac\[eks\]>\s*$", RegexOptions.Multiline), Patience, "the cleared line");

            // Ctrl+C while a (slow) tool runs: the answer is cancelled, the session stays.
            await tmux.TypeAsync("why are jobs waiting?");
            await tmux.PressAsync("Enter");
            await tmux.WaitForAsync(s => s.Contains("⋯ observer_", StringComparison.Ordinal), Patience, "the live tool line");
            await tmux.PressAsync("C-c");
            var cancelled = await tmux.WaitForAsync(s => s.Contains("(answer cancelled; the session goes on)", StringComparison.Ordinal) && Prompts(s) == 2, Patience, "the cancelled answer and a new prompt");
            Assert.DoesNotContain("[exit", cancelled, StringComparison.Ordinal);

            await tmux.TypeAsync("exit");
            await tmux.PressAsync("Enter");
            await tmux.WaitForAsync(s => s.Contains("[exit 0]", StringComparison.Ordinal), Patience, "the program to end");
        }

        // A new session: the question is in the history (Up), and Ctrl+R finds it.
        await using (var tmux = await TmuxSession.StartAsync(chat, Environment(data, latencyMs: 0), data))
        {
            await tmux.WaitForAsync(s => Prompts(s) == 1, Patience, "the first prompt");
            await tmux.PressAsync("Up");
            await tmux.WaitForAsync(s => s.Contains("vgac[eks]> why are jobs waiting?", StringComparison.Ordinal), Patience, "the recalled question");
            await tmux.PressAsync("C-u", "C-r");
            await tmux.TypeAsync("jobs w");
            await tmux.WaitForAsync(s => s.Contains("(reverse-i-search)'jobs w': why are jobs waiting?", StringComparison.Ordinal), Patience, "the search");
            await tmux.PressAsync("Enter", "Enter");
            var answered = await tmux.WaitForAsync(s => Prompts(s) == 2, Patience, "the answer");
            Assert.Contains("observer_", answered, StringComparison.Ordinal);
            await tmux.PressAsync("C-d");
            await tmux.WaitForAsync(s => s.Contains("[exit 0]", StringComparison.Ordinal), Patience, "Ctrl+D to end the session");
        }
    }
}
