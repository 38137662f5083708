using Microsoft.Data.Sqlite;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>The audit trail's hash chain: every record vouches for its content and for the one before it.</summary>
public sealed class AuditChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<AuditStore> TrailAsync(string provider)
    {
        var store = await Stores.NewAsync(provider, "eks");
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        for (var cycle = 1; cycle <= 3; cycle++)
        {
            await store.AppendAsync(
            [
                new AuditEvent(0, at.AddMinutes(cycle), cycle, AuditKind.Observation, null, null, null, $"cycle {cycle}", """{"gpus_free":3}"""),
                new AuditEvent(0, at.AddMinutes(cycle), cycle, AuditKind.Proposal, $"job-{cycle}", 2, $"prop-{cycle}", "warn", null),
            ], Ct);
        }

        // Another cluster's records share the trail, and its chain.
        await store.ForCluster("slurm").AppendAsync([new AuditEvent(0, at.AddMinutes(4), 1, AuditKind.Observation, null, null, null, "slurm cycle 1", null)], Ct);
        return store;
    }

    private static Task TamperAsync(AuditStore store, string sql) => Stores.RawAsync(store, Stores.WithoutTriggers(store, sql));

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Chain_AsWritten_EveryRecordVerified_AcrossClusters(string provider)
    {
        var store = await TrailAsync(provider);

        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.True(chain.Intact, chain.Why);
        Assert.Equal((7, 0), (chain.Verified, chain.Unchained));
    }

    public static TheoryData<string, string, long, string> Tampering()
    {
        var data = new TheoryData<string, string, long, string>();
        foreach (var provider in (string[])["sqlite", "postgres"])
        {
            data.Add(provider, "UPDATE events SET summary = 'nothing to see' WHERE id = 4", 4, "its content does not match its hash");
            data.Add(provider, "UPDATE events SET cluster = 'slurm' WHERE id = 2", 2, "its content does not match its hash");
            data.Add(provider, "DELETE FROM events WHERE id = 3", 4, "it does not link to the record before it");
            data.Add(provider, "UPDATE events SET hash = NULL WHERE id = 5", 5, "it carries no hash, inside the chain");
            data.Add(provider, "DELETE FROM events WHERE id <= 2", 3, "the records before it were removed, and no checkpoint");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Chain_ChangedBehindTheApplicationsBack_NamesTheFirstBrokenLink(string provider, string sql, long brokenAt, string why)
    {
        var store = await TrailAsync(provider);
        await TamperAsync(store, sql);

        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.False(chain.Intact);
        Assert.Equal(brokenAt, chain.BrokenAt);
        Assert.StartsWith(why, chain.Why, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Chain_RecomputedAfterAnEdit_StillBreaksAtTheNextLink(string provider)
    {
        // Whoever edits a record and recomputes its hash still breaks the link the next record holds.
        var store = await TrailAsync(provider);
        var forged = AuditChain.Hash(null, null, 1, new AuditEvent(1, new DateTimeOffset(2026, 11, 30, 12, 1, 0, TimeSpan.Zero), 1, AuditKind.Observation, null, null, null, "forged", """{"gpus_free":3}""") { Cluster = "eks" });
        await TamperAsync(store, $"UPDATE events SET summary = 'forged', hash = '{forged}' WHERE id = 1");

        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.Equal(2, chain.BrokenAt);
        Assert.StartsWith("it does not link", chain.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_TheDocumentedFormat_ByteForByte_SoTrailsWrittenEarlierStillVerify()
    {
        var e = new AuditEvent(7, new DateTimeOffset(2026, 11, 30, 12, 1, 2, TimeSpan.FromHours(1)), 3, AuditKind.Proposal, "job-ü1", 2, null, "warn job-ü1 — über", """{"a":"東京"}""") { Cluster = "eks" };
        // The format, written out: each field its length in UTF-16 characters, ':', the text, '|' (null as -1:), after the previous link.
        string Field(string? v) => v is null ? "-1:|" : $"{v.Length}:{v}|";
        var text = Field("prev") + Field("7") + Field(AuditStore.Stamp(e.At)) + Field("3") + Field("proposal") + Field("job-ü1") + Field("2") + Field(null)
            + Field("warn job-ü1 — über") + Field("""{"a":"東京"}""") + Field("eks");
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(expected, AuditChain.Hash(null, "prev", 7, e));
    }

    [Fact]
    public async Task TrailFromBeforeClustersAndTheChain_Migrated_OldRecordsReadAsDefaultAndUnchained_NewOnesChained()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-chain-old-"), "audit.db");
        await using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await old.OpenAsync(Ct);
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, cycle INTEGER NOT NULL, kind TEXT NOT NULL,
                    job_id TEXT, tier INTEGER, proposal_id TEXT, summary TEXT NOT NULL, payload TEXT);
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                INSERT INTO events (at, cycle, kind, summary) VALUES ('2026-01-01T00:00:00.0000000+00:00', 1, 'observation', 'an old cycle');
                """;
            await create.ExecuteNonQueryAsync(Ct);
        }

        var store = new AuditStore(new SqliteAuditBackend(path));
        await store.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 2, AuditKind.Observation, null, null, null, "a new cycle", null)], Ct);

        var records = await store.QueryAsync(cancellationToken: Ct);
        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.Equal(["default", "default"], records.Select(r => r.Cluster));
        Assert.True(chain.Intact, chain.Why);
        Assert.Equal((1, 1), (chain.Verified, chain.Unchained));
    }
}
