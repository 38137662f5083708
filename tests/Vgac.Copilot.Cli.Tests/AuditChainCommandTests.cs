using Microsoft.Data.Sqlite;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac audit --check</c> verifies the trail's hash chain and names the first broken link.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuditChainCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuditCheck_RecordEditedWithTheTriggerDropped_FailsNamingTheRecord_Exit9()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-chain-cli-"), "audit.db");
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_AUDIT_DB"] = db };
        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);
        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);

        var before = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using var edit = connection.CreateCommand();
            edit.CommandText = "DROP TRIGGER events_append_only_update; UPDATE events SET summary = 'nothing happened' WHERE id = 3";
            await edit.ExecuteNonQueryAsync(Ct);
        }

        var incremental = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        var after = await CliHarness.RunAsync(["audit", "--check", "--full"], env, Ct);

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Matches(@"hash chain: \d+ records verified", before.Out);
        // The edit lies before the point the last clean check verified: the incremental check walks on from there, and says so.
        Assert.True(incremental.ExitCode == 0, incremental.ToString());
        Assert.Matches(@"hash chain: 0 records verified since record \d+, where the last clean check stopped \(--full walks the whole trail\)", incremental.Out);
        Assert.Equal(ExitCodes.AuditViolation, after.ExitCode);
        Assert.Contains("hash chain: BROKEN at record 3: its content does not match its keyed link", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditCheck_KeyFileMadeOnFirstUse_UsersAlone_ReportNamesItAndTheAnchor_NoKeySaidPlainly()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("key-home-");
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("key-trail-"), "audit.db");
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_AUDIT_DB"] = db, ["XDG_CONFIG_HOME"] = home };
        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);

        var check = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        var keyless = await CliHarness.RunAsync(["audit", "--check"], new Dictionary<string, string>(env) { ["XDG_CONFIG_HOME"] = "" }, Ct);

        var key = Path.Combine(home, "vgac", "audit.key");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(home, "vgac")));
        Assert.Matches($@"key: key file {System.Text.RegularExpressions.Regex.Escape(key)}; \d+ records keyed", check.Out);
        Assert.Matches(@"anchor: the trail reaches its anchor at record \d+", check.Out);
        Assert.Contains("key: NONE to check with", keyless.Out, StringComparison.Ordinal);
    }
}
