using System.Text.Json;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The REPL's commands and saved sessions, run as <c>vgac chat</c> with scripted input.</summary>
public sealed class ChatSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Session_SavedByName_ResumedWithItsQuestionsAnswersAndToolResults()
    {
        var data = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-chat-");
        var env = new Dictionary<string, string> { ["VGAC_DATA_DIR"] = data, ["VGAC_AUDIT_DB"] = Path.Combine(data, "audit.db") };

        var first = await CliHarness.RunAsync(["chat", "--demo"], env, Ct, input: "how busy is the cluster?\n/last\n/trace off\n/save incident-42\n/sessions\nquit\nnever asked\n");
        var second = await CliHarness.RunAsync(["chat", "--demo", "--resume", "incident-42"], env, Ct, input: "/history\n/last\nexit\n");
        var last = await CliHarness.RunAsync(["chat", "--demo", "--resume"], env, Ct, input: "/exit\n");
        var missing = await CliHarness.RunAsync(["chat", "--demo", "--resume", "no-such-session"], env, Ct, input: "/exit\n");
        var badName = await CliHarness.RunAsync(["chat", "--demo", "--resume", "not/a-name"], env, Ct, input: "/exit\n");

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.Contains("observer_cluster_summary (ok,", first.Out, StringComparison.Ordinal);   // /last
        Assert.Contains("\"gpus_available\":", first.Out, StringComparison.Ordinal);              // ... in full, pretty JSON
        Assert.Contains("tool-call trace off", first.Out, StringComparison.Ordinal);
        Assert.Contains("saved as 'incident-42' (1 question): vgac chat --resume incident-42", first.Out, StringComparison.Ordinal);
        Assert.Matches(@"incident-42\s+1 question", first.Out);
        Assert.DoesNotContain("never asked", first.Out, StringComparison.Ordinal);                // 'quit' left

        // Kept in the store beside the audit trail, one document per owner and name.
        string saved;
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={env["VGAC_AUDIT_DB"]};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var query = connection.CreateCommand();
            query.CommandText = "SELECT document FROM chat_sessions WHERE name = 'incident-42'";
            saved = (string)(await query.ExecuteScalarAsync(Ct))!;
        }

        using (var json = JsonDocument.Parse(saved))
        {
            var turn = Assert.Single(json.RootElement.GetProperty("turns").EnumerateArray());
            Assert.Equal("how busy is the cluster?", turn.GetProperty("question").GetString());
            Assert.Contains("GPUs", turn.GetProperty("answer").GetString(), StringComparison.Ordinal);
            Assert.Contains("gpus_available", turn.GetProperty("calls")[0].GetProperty("result").GetString(), StringComparison.Ordinal);
        }

        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.Contains("Resumed session 'incident-42' (1 question", second.Out, StringComparison.Ordinal);
        Assert.Matches(@"1\s+how busy is the cluster\?", second.Out);
        Assert.Contains("observer_cluster_summary (ok,", second.Out, StringComparison.Ordinal);  // /last: the saved result
        Assert.Contains("\"gpus_available\":", second.Out, StringComparison.Ordinal);
        // Every chat that asked something saves itself as 'last'; --resume with no name opens it.
        Assert.Contains("Resumed session 'last'", last.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.Contains("no saved session 'no-such-session'; saved: ", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, badName.ExitCode);
        Assert.Contains("a session name is 1-64 letters", badName.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SavedSession_NotVgacJson_IsAnErrorNamingTheFile_NotTrusted()
    {
        var data = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-chat-");
        Directory.CreateDirectory(Path.Combine(data, "sessions"));
        await File.WriteAllTextAsync(Path.Combine(data, "sessions", "tampered.json"), """{"turns": "rm -rf /"}""", Ct);

        var result = await CliHarness.RunAsync(["chat", "--demo", "--resume", "tampered"], new Dictionary<string, string> { ["VGAC_DATA_DIR"] = data }, Ct, input: "/exit\n");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("tampered.json' is not a saved session", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_IsAligned_AndAMistypedCommandGetsTheClosest()
    {
        var result = await CliHarness.RunAsync(["chat", "--demo"], cancellationToken: Ct, input: "/help\n/sesions\n/exit\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var rows = result.Out.Split('\n').Where(l => l.StartsWith('/')).ToList();
        Assert.True(rows.Count >= 9, result.Out);
        Assert.Single(rows.Select(r => r.IndexOf(r.Split(' ', 2)[1].TrimStart(), StringComparison.Ordinal)).Distinct());
        Assert.Contains("unknown command /sesions; did you mean /sessions?", result.Out, StringComparison.Ordinal);
    }
}
