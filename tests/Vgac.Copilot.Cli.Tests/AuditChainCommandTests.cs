using Microsoft.Data.Sqlite;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac audit --check</c> verifies the trail's hash chain and names the first broken link.</summary>
public sealed class AuditChainCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuditCheck_RecordEditedWithTheTriggerDropped_FailsNamingTheRecord_Exit9()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var db = Path.Combine(Directory.CreateTempSubdirectory("vgac-chain-cli-").FullName, "audit.db");
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

        var after = await CliHarness.RunAsync(["audit", "--check"], env, Ct);

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Matches(@"hash chain: \d+ records verified", before.Out);
        Assert.Equal(ExitCodes.AuditViolation, after.ExitCode);
        Assert.Contains("hash chain: BROKEN at record 3: its content does not match its hash", after.Out, StringComparison.Ordinal);
    }
}
