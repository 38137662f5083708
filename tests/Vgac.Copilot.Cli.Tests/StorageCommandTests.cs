using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac storage</c> and <c>vgac audit export|prune</c> as a person runs them, on an SQLite trail a real watch wrote.</summary>
public sealed class StorageCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Dictionary<string, string>> TrailAsync(LoopbackServer vgac)
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-storage-");
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_AUDIT_DB"] = Path.Combine(folder, "audit.db"), ["VGAC_DATA_DIR"] = folder };
        var watch = await CliHarness.RunAsync(["watch", "--cycles", "3", "--interval", "10ms", "--autonomy", "notify", "-o", "json"], env, Ct);
        Assert.True(watch.ExitCode == ExitCodes.Success, watch.ToString());
        return env;
    }

    [Fact]
    public async Task ExportThenPrune_WholeTrail_FileHasAnchoredRecords_CheckpointKeepsTheChainVerifying()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var env = await TrailAsync(vgac);
        var file = Path.Combine(env["VGAC_DATA_DIR"], "trail.jsonl");

        var export = await CliHarness.RunAsync(["audit", "export", "--output", file], env, Ct);
        var again = await CliHarness.RunAsync(["audit", "export", "--output", file], env, Ct);
        var prune = await CliHarness.RunAsync(["audit", "prune", "--before", "2099-01-01T00:00Z"], env, Ct);
        var check = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        var left = await CliHarness.RunAsync(["audit", "-o", "json"], env, Ct);

        Assert.True(export.ExitCode == ExitCodes.Success, export.ToString());
        var lines = await File.ReadAllLinesAsync(file, Ct);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.Equal("vgac-audit-export", header.RootElement.GetProperty("format").GetString());
        Assert.Equal(lines.Length - 1, header.RootElement.GetProperty("records").GetInt32());
        Assert.Equal(header.RootElement.GetProperty("last_hash").GetString(), JsonDocument.Parse(lines[^1]).RootElement.GetProperty("hash").GetString());
        Assert.Equal(ExitCodes.UsageError, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.True(prune.ExitCode == ExitCodes.Success, prune.ToString());
        Assert.Contains($"pruned {lines.Length - 1} records", prune.Out, StringComparison.Ordinal);
        Assert.True(check.ExitCode == ExitCodes.Success, check.ToString());
        Assert.Contains("hash chain: 2 records verified", check.Out, StringComparison.Ordinal);
        Assert.Equal(["export", "checkpoint"], left.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Prune_NothingExported_RemovesNothing_SaysWhatToExportFirst()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var env = await TrailAsync(vgac);

        var prune = await CliHarness.RunAsync(["audit", "prune", "--before", "2099-01-01T00:00Z"], env, Ct);
        var badDate = await CliHarness.RunAsync(["audit", "prune", "--before", "last tuesday"], env, Ct);

        Assert.True(prune.ExitCode == ExitCodes.Success, prune.ToString());
        Assert.Contains("nothing pruned", prune.Out, StringComparison.Ordinal);
        Assert.Contains("'vgac audit export --until 2099-01-01T00:00Z --output FILE' first", prune.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, badDate.ExitCode);
        Assert.Contains("--before must be a duration back from now", badDate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_StatusAndMigrate_SqliteTrail_VersionsListed_GrantToRefused()
    {
        var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-storage-"), "audit.db") };

        var before = await CliHarness.RunAsync(["storage", "status", "-o", "json"], env, Ct);
        var migrate = await CliHarness.RunAsync(["storage", "migrate"], env, Ct);
        var again = await CliHarness.RunAsync(["storage", "migrate", "-o", "json"], env, Ct);
        var grant = await CliHarness.RunAsync(["storage", "migrate", "--grant-to", "vgac_app"], env, Ct);

        using (var status = JsonDocument.Parse(before.Out))
        {
            Assert.Equal(("sqlite", 0), (status.RootElement.GetProperty("provider").GetString(), status.RootElement.GetProperty("version").GetInt32()));
            Assert.True(status.RootElement.GetProperty("pending").GetArrayLength() >= 5);
        }

        Assert.Contains("migrations; schema at version", migrate.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(again.Out))
        {
            Assert.Equal(0, json.RootElement.GetProperty("applied_now").GetArrayLength());
            Assert.Equal(0, json.RootElement.GetProperty("pending").GetArrayLength());
        }

        Assert.Equal(ExitCodes.UsageError, grant.ExitCode);
        Assert.Contains("--grant-to applies to a PostgreSQL store", grant.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_PostgresUnreachable_Exit13_NoPasswordShown()
    {
        var env = new Dictionary<string, string>
        {
            ["VGAC_STORAGE_PROVIDER"] = "postgres",
            ["VGAC_STORAGE_CONNECTION"] = "Host=127.0.0.1;Port=1;Database=vgac;Username=vgac_app;Password=pg-secret-never-shown;Timeout=2",
        };

        var result = await CliHarness.RunAsync(["storage", "status"], env, Ct);

        Assert.Equal(ExitCodes.StoreUnavailable, result.ExitCode);
        Assert.Contains("the PostgreSQL store at postgres://127.0.0.1:1/vgac could not be reached", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pg-secret-never-shown", result.Out + result.Error, StringComparison.Ordinal);
    }
}
