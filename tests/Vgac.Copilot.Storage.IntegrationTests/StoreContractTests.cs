using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>
/// The promises every store keeps, held to both providers by the same test bodies: records read back as written,
/// nothing is changed or removed, "once" is a database fact, reservations and the chain hold across writers, leases
/// fence a replica that lost its leadership, exports and prunes keep the chain verifiable, migrations run once.
/// </summary>
public sealed class StoreContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static AuditEvent Event(int minute, AuditKind kind, string? job = null, int? tier = null, string? proposal = null, string? payload = null, long cycle = 1) =>
        new(0, T0.AddMinutes(minute).AddTicks(1234567), cycle, kind, job, tier, proposal, $"{kind.Wire()} at {minute}", payload);

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Append_ThenQuery_ReadsBackExactlyAsWritten_PerClusterAndFilter(string provider)
    {
        var eks = await Stores.NewAsync(provider, "eks");
        await using var _ = eks.Backend;
        await eks.AppendAsync([Event(1, AuditKind.Observation, payload: """{"gpus_free":3}"""), Event(2, AuditKind.Proposal, "job-1", 2, "p-1", cycle: 1)], Ct);
        await eks.ForCluster("slurm").AppendAsync([Event(3, AuditKind.Observation, cycle: 7), Event(4, AuditKind.Proposal, "42", 1, "p-2", cycle: 7)], Ct);
        await eks.AppendTrailRecordAsync(Event(5, AuditKind.Export), Ct);

        var all = await eks.AllClusters().QueryAsync(cancellationToken: Ct);
        var proposal = Assert.Single(await eks.QueryAsync(kind: AuditKind.Proposal, cancellationToken: Ct));

        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.Id));
        Assert.Equal(["eks", "eks", "slurm", "slurm", "*"], all.Select(e => e.Cluster));
        Assert.Equal(Event(2, AuditKind.Proposal, "job-1", 2, "p-1") with { Id = 2, Cluster = "eks" }, proposal);
        Assert.Equal("""{"gpus_free":3}""", all[0].Payload);
        Assert.Equal(["eks", "slurm"], await eks.ClustersAsync(Ct));
        Assert.Equal((1L, 7L), (await eks.LastCycleAsync(Ct), await eks.ForCluster("slurm").LastCycleAsync(Ct)));
        Assert.Equal([3L], (await eks.AllClusters().QueryAsync(since: T0.AddMinutes(3), until: T0.AddMinutes(4), cancellationToken: Ct)).Select(e => e.Id));
        Assert.Equal([4L], (await eks.AllClusters().QueryAsync(jobId: "42", cancellationToken: Ct)).Select(e => e.Id));
        Assert.Equal([2L, 4], (await eks.AllClusters().QueryAsync(kinds: [AuditKind.Proposal, AuditKind.Approval], cancellationToken: Ct)).Select(e => e.Id));
        Assert.Equal([4L], (await eks.AllClusters().QueryAsync(proposal: "p-2", cancellationToken: Ct)).Select(e => e.Id));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task LatestAsync_PayloadFieldSet_FindsTheNewestWithIt(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        await store.AppendAsync(
        [
            Event(1, AuditKind.Calibration, payload: """{"audited_ece":0.05}"""),
            Event(2, AuditKind.Calibration, payload: """{"audited_ece":0.07}"""),
            Event(3, AuditKind.Calibration, payload: """{"audited_ece":null}"""),
            Event(4, AuditKind.Calibration, payload: """{"reported_ece":0.01}"""),
        ], Ct);

        var latest = await store.LatestAsync(AuditKind.Calibration, T0, "audited_ece", Ct);
        var none = await store.LatestAsync(AuditKind.Calibration, T0.AddMinutes(3), "audited_ece", Ct);

        Assert.Equal(2, latest?.Id);
        Assert.Null(none);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Records_UpdateOrDeleteBehindTheApplication_RefusedByTheDatabase(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        await store.AppendAsync([Event(1, AuditKind.Observation)], Ct);

        var update = await Assert.ThrowsAnyAsync<Exception>(() => Stores.RawAsync(store, "UPDATE events SET summary = 'rewritten'"));
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => Stores.RawAsync(store, "DELETE FROM events"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.Equal("observation at 1", Assert.Single(await store.QueryAsync(cancellationToken: Ct)).Summary);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task SecondStartOrDecision_ForOneProposal_RefusedAsDuplicate(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        await store.AppendAsync([Event(1, AuditKind.ExecutionStarted, "job-1", 2, "p-1"), Event(1, AuditKind.Approval, "job-1", 2, "p-1")], Ct);

        var start = await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync([Event(2, AuditKind.ExecutionStarted, "job-1", 2, "p-1")], Ct));
        var decision = await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync([Event(2, AuditKind.Rejection, "job-1", 2, "p-1")], Ct));

        Assert.True(store.IsDuplicate(start), start.Message);
        Assert.True(store.IsDuplicate(decision), decision.Message);
        Assert.Equal(2, (await store.QueryAsync(cancellationToken: Ct)).Count);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Reservations_ManyWritersRacingForOneJobAndTier_ExactlyOneHoldsIt_ChainIntact(string provider)
    {
        var location = await Stores.LocationAsync(provider);
        var writers = new List<AuditStore>();
        for (var i = 0; i < 6; i++)
        {
            writers.Add(new AuditStore(Stores.Backend(provider, location)));
        }

        var rules = new ReservationRules(TimeSpan.FromHours(1), Stores.Holds, c => c.Start with { Kind = AuditKind.Execution, Summary = "refused: held by " + c.HolderProposalId, Payload = """{"state":"refused"}""" });
        var results = await Task.WhenAll(writers.Select((w, i) => Task.Run(() => w.AppendAsync([Event(1, AuditKind.ExecutionStarted, "job-7", 3, $"p-{i}")], rules, Ct))));

        var reader = writers[0];
        var starts = await reader.QueryAsync(kind: AuditKind.ExecutionStarted, cancellationToken: Ct);
        var chain = await AuditChain.VerifyAsync(reader, Ct);
        foreach (var writer in writers)
        {
            await writer.Backend.DisposeAsync();
        }

        Assert.Single(starts);
        Assert.Equal(5, results.Sum(r => r.Count));
        Assert.True(chain.Intact, chain.Why);
        Assert.Equal(6, chain.Verified);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Lease_OneHolderAtATime_TakenOverOnlyAfterExpiry_OldLeaderFenced(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        var backend = (ILeaseStore)store.Backend;
        var ttl = TimeSpan.FromSeconds(1);

        var (firstGranted, first) = await backend.LeadAsync("watch:eks", "host-a:1", ttl, Ct);
        var (renewed, again) = await backend.LeadAsync("watch:eks", "host-a:1", ttl, Ct);
        var (secondGranted, seen) = await backend.LeadAsync("watch:eks", "host-b:2", ttl, Ct);
        var (otherGranted, other) = await backend.LeadAsync("watch:slurm", "host-b:2", ttl, Ct);
        await store.AppendAsync([Event(1, AuditKind.Observation)], null, Ct, new LeaseFence("watch:eks", "host-a:1", first.Token));

        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var (takenOver, taken) = await backend.LeadAsync("watch:eks", "host-b:2", ttl, Ct);
        var fenced = await Assert.ThrowsAsync<LeadershipLostException>(() =>
            store.AppendAsync([Event(2, AuditKind.Observation)], null, Ct, new LeaseFence("watch:eks", "host-a:1", first.Token)));
        await store.AppendAsync([Event(3, AuditKind.Observation)], null, Ct, new LeaseFence("watch:eks", "host-b:2", taken.Token));

        Assert.True(firstGranted && renewed && otherGranted && takenOver);
        Assert.False(secondGranted);
        Assert.Equal(("host-a:1", 1L), (seen.Holder, seen.Token));
        Assert.Equal((1L, 1L, 2L), (again.Token, other.Token, taken.Token));
        Assert.Contains("held by host-b:2 with token 2", fenced.Message, StringComparison.Ordinal);
        Assert.Equal(["observation at 1", "observation at 3"], (await store.QueryAsync(cancellationToken: Ct)).Select(e => e.Summary));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Lease_ReleasedByACleanStop_TakenAtOnce(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        var leases = (ILeaseStore)store.Backend;
        await leases.LeadAsync("watch:eks", "host-a:1", TimeSpan.FromMinutes(5), Ct);

        await leases.ReleaseAsync("watch:eks", "host-a:1", Ct);
        var (granted, lease) = await leases.LeadAsync("watch:eks", "host-b:2", TimeSpan.FromMinutes(5), Ct);

        Assert.True(granted);
        Assert.Equal(2, lease.Token);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Migrations_AppliedOnceInOrder_StatusSaysSo(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;

        var before = await store.Backend.StatusAsync(Ct);
        var applied = await store.Backend.MigrateAsync(Ct);
        var again = await store.Backend.MigrateAsync(Ct);
        var after = await store.Backend.StatusAsync(Ct);

        Assert.Equal(0, before.Version);
        Assert.Equal(before.Pending.Select(p => p.Version), applied.Select(a => a.Version));
        Assert.Equal(Enumerable.Range(1, applied.Count), applied.Select(a => a.Version));
        Assert.Empty(again);
        Assert.Empty(after.Pending);
        Assert.Equal(applied.Count, after.Version);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Schema_WrittenByANewerVgac_RefusedOnEveryOpen_NotOnlyWhenMigrating(string provider)
    {
        var location = await Stores.LocationAsync(provider);
        await using (var first = Stores.Backend(provider, location))
        {
            await first.MigrateAsync(Ct);
        }

        var table = provider == StorageOptions.Sqlite ? "schema_migrations" : "vgac_schema_migrations";
        var store = new AuditStore(Stores.Backend(provider, location));
        await using var _ = store.Backend;
        await Stores.RawAsync(store, $"INSERT INTO {table} (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00Z')");

        // A fresh process (a new backend) opening the trail for a plain read: nothing is pending, and still refused.
        var refused = await Assert.ThrowsAsync<AuditStoreException>(() => store.QueryAsync(cancellationToken: Ct));

        Assert.Contains("version 99, newer than this vgac knows", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task ExportThenPrune_RemovesOnlyWhatTheExportCovers_ChainStillVerifies(string provider)
    {
        var store = await Stores.NewAsync(provider, "eks");
        await using var _ = store.Backend;
        for (var minute = 1; minute <= 6; minute++)
        {
            await store.AppendAsync([Event(minute * 10, AuditKind.Observation, cycle: minute)], Ct);
        }

        var retention = new AuditRetention(store, TimeProvider.System);
        var cut = T0.AddMinutes(35);

        // Nothing exported yet: nothing goes.
        var refused = await retention.PruneAsync(cut, Ct);
        var text = new StringWriter();
        var export = await retention.ExportAsync(null, T0.AddMinutes(25), text, "early.jsonl", Ct);
        var pruned = await retention.PruneAsync(cut, Ct);

        var left = await store.AllClusters().QueryAsync(cancellationToken: Ct);
        var chain = await AuditChain.VerifyAsync(store, Ct);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal((0L, 1L, 3L), (refused.Removed, refused.UncoveredFrom, refused.UncoveredThrough));
        Assert.Equal((1L, 2L, 2L), (export!.FromId, export.ThroughId, export.Records));
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"format\":\"vgac-audit-export\"", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"hash\":\"{export.LastHash}\"", lines[2], StringComparison.Ordinal);
        Assert.Equal((2L, 2L), (pruned.Removed, pruned.ThroughId!.Value));
        Assert.True(pruned.LeftUncovered);
        Assert.Equal(3, pruned.UncoveredFrom);
        Assert.Equal([3L, 4, 5, 6, 7, 8], left.Select(e => e.Id));
        Assert.Equal([AuditKind.Export, AuditKind.Checkpoint], left.Skip(4).Select(e => e.Kind));
        Assert.True(chain.Intact, chain.Why);
        Assert.Equal(6, chain.Verified);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Prune_AProposalDecidedAfterTheCut_StaysWhole_AuditCheckStillFindsItsProposal(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        await store.AppendAsync([Event(10, AuditKind.Observation)], Ct);
        await store.AppendAsync([Event(20, AuditKind.Proposal, "job-1", 2, "p-1")], Ct);
        await store.AppendAsync([Event(30, AuditKind.Observation)], Ct);
        await store.AppendAsync([Event(50, AuditKind.Approval, "job-1", 2, "p-1")], Ct);
        var retention = new AuditRetention(store, TimeProvider.System);
        await retention.ExportAsync(null, null, new StringWriter(), "all.jsonl", Ct);

        var pruned = await retention.PruneAsync(T0.AddMinutes(40), Ct);

        var left = await store.AllClusters().QueryAsync(cancellationToken: Ct);
        Assert.Equal((1L, 1L), (pruned.Removed, pruned.ThroughId!.Value));
        Assert.Contains(left, e => e.Kind == AuditKind.Proposal && e.ProposalId == "p-1");
        Assert.True((await AuditChain.VerifyAsync(store, Ct)).Intact);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task ChatSessions_SavedAgainUnderOneName_Replaced_EachOwnerSeesOnlyTheirs(string provider)
    {
        var store = await Stores.NewAsync(provider);
        await using var _ = store.Backend;
        var backend = (ISessionStore)store.Backend;

        await backend.SaveSessionAsync("ana", "incident-42", T0, """{"v":1}""", Ct);
        await backend.SaveSessionAsync("ana", "incident-42", T0.AddMinutes(5), """{"v":2}""", Ct);
        await backend.SaveSessionAsync("ana", "last", T0.AddMinutes(9), """{"v":3}""", Ct);
        await backend.SaveSessionAsync("ben", "incident-42", T0, """{"v":4}""", Ct);

        Assert.Equal("""{"v":2}""", await backend.LoadSessionAsync("ana", "incident-42", Ct));
        Assert.Null(await backend.LoadSessionAsync("ana", "nothing", Ct));
        Assert.Equal(["""{"v":3}""", """{"v":2}"""], await backend.SessionsAsync("ana", Ct));
        Assert.Equal(["""{"v":4}"""], await backend.SessionsAsync("ben", Ct));
    }

    [Fact]
    public async Task Postgres_ApplicationRole_OnlyAddsAndReads_CannotChangeSchemaOrPrune()
    {
        var server = await Stores.ServerAsync();
        var owner = await Stores.LocationAsync(StorageOptions.Postgres);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(owner).Database!;
        await server.PsqlAsync(database, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vgac_app') THEN CREATE ROLE vgac_app LOGIN; END IF; END $$;");
        await using var app = new PostgresAuditBackend(server.ConnectionString(database, "vgac_app"));

        // Before the owner migrates, the application's role cannot create the schema, and says what to do.
        var early = await Assert.ThrowsAsync<AuditStoreException>(() => app.QueryAsync(null, new AuditQuery(), Ct));
        await using (var ownerBackend = new PostgresAuditBackend(owner))
        {
            await ownerBackend.MigrateAsync(Ct);
            await ownerBackend.GrantAsync("vgac_app", Ct);
        }

        var store = new AuditStore(app);
        await store.AppendAsync([Event(1, AuditKind.Observation), Event(2, AuditKind.Export)], Ct);
        var update = await Assert.ThrowsAnyAsync<Exception>(() => Update(server, database));
        var prune = await Assert.ThrowsAsync<AuditStoreException>(() => app.PruneAsync(1, r => r.Event, null, Ct));
        var (granted, _) = await app.LeadAsync("watch:default", "host-a:1", TimeSpan.FromSeconds(10), Ct);

        Assert.Contains("vgac storage migrate", early.Message, StringComparison.Ordinal);
        Assert.Contains("permission denied", update.Message, StringComparison.Ordinal);
        Assert.Contains("owner's connection string", prune.Message, StringComparison.Ordinal);
        Assert.True(granted);
        Assert.Equal(2, (await store.QueryAsync(cancellationToken: Ct)).Count);
    }

    [Fact]
    public async Task Postgres_TwoApplicationRoles_SessionsAreEachRolesOwn_LeasesCannotBePlanted()
    {
        var server = await Stores.ServerAsync();
        var owner = await Stores.LocationAsync(StorageOptions.Postgres);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(owner).Database!;
        foreach (var role in new[] { "vgac_ana", "vgac_ben" })
        {
            await server.PsqlAsync(database, $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN; END IF; END $$;");
        }

        await using (var ownerBackend = new PostgresAuditBackend(owner))
        {
            await ownerBackend.MigrateAsync(Ct);
            await ownerBackend.GrantAsync("vgac_ana", Ct);
            await ownerBackend.GrantAsync("vgac_ben", Ct);
        }

        await using var ana = new PostgresAuditBackend(server.ConnectionString(database, "vgac_ana"));
        await using var ben = new PostgresAuditBackend(server.ConnectionString(database, "vgac_ben"));
        await ana.SaveSessionAsync(null, "incident-42", T0, """{"turns":["ana's"]}""", Ct);

        // Ben, holding the application's role too, neither sees nor rewrites Ana's session, directly or through vgac.
        var seen = await RowsAsync(server, database, "vgac_ben", "SELECT count(*) FROM chat_sessions");
        var rewritten = await RowsAsync(server, database, "vgac_ben", "UPDATE chat_sessions SET document = '{\"turns\":[\"forged\"]}'");
        var planted = await Assert.ThrowsAnyAsync<Exception>(() => RowsAsync(server, database, "vgac_ben",
            "INSERT INTO chat_sessions (db_role, owner, name, saved_at, document) VALUES ('vgac_ana', 'vgac_ana', 'incident-43', now(), '{}')"));
        Assert.Null(await ben.LoadSessionAsync(null, "incident-42", Ct));
        Assert.Empty(await ben.SessionsAsync(null, Ct));
        Assert.Equal(0L, seen);
        Assert.Equal(0L, rewritten);
        Assert.Contains("row-level security", planted.Message, StringComparison.Ordinal);
        Assert.Equal("""{"turns":["ana's"]}""", await ana.LoadSessionAsync(null, "incident-42", Ct));

        // A lease until 2099: refused as a direct write; through vgac_lead the expiry is capped at an hour.
        var direct = await Assert.ThrowsAnyAsync<Exception>(() => RowsAsync(server, database, "vgac_ben",
            "INSERT INTO leases (name, holder, token, expires_at) VALUES ('watch:default', 'mallory', 99, '2099-01-01')"));
        var (granted, lease) = await ben.LeadAsync("watch:default", "mallory", TimeSpan.FromDays(365 * 70), Ct);
        Assert.Contains("permission denied", direct.Message, StringComparison.Ordinal);
        Assert.True(granted);
        Assert.True(lease.ExpiresAt <= DateTimeOffset.UtcNow.AddHours(1).AddMinutes(1), $"the lease runs until {lease.ExpiresAt:O}");

        // The role holds exactly what the grant message says (PostgresAuditBackend.GrantsInWords), nothing more.
        string[] holds =
        [
            "events:SELECT", "events:INSERT", "leases:SELECT", "chat_sessions:SELECT", "chat_sessions:INSERT", "chat_sessions:UPDATE", "vgac_schema_migrations:SELECT",
        ];
        var privileges = new List<string>();
        foreach (var table in new[] { "events", "leases", "chat_sessions", "vgac_schema_migrations" })
        {
            foreach (var privilege in new[] { "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE" })
            {
                if (await RowsAsync(server, database, "vgac_ben", $"SELECT count(*) FROM (SELECT 1 WHERE has_table_privilege('vgac_ben', '{table}', '{privilege}')) t") == 1)
                {
                    privileges.Add($"{table}:{privilege}");
                }
            }
        }

        Assert.Equal(holds.Order(), privileges.Order());
        Assert.Contains("SELECT on the leases, which it changes only through vgac_lead and vgac_release", PostgresAuditBackend.GrantsInWords, StringComparison.Ordinal);
    }

    /// <summary>Runs SQL as <paramref name="role"/>; the rows it counted or touched.</summary>
    private static async Task<long> RowsAsync(Testing.PostgresServer server, string database, string role, string sql)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(server.ConnectionString(database, role));
        await using var command = source.CreateCommand(sql);
        return sql.StartsWith("SELECT", StringComparison.Ordinal) ? (long)(await command.ExecuteScalarAsync(Ct))! : await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task Update(Testing.PostgresServer server, string database)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(server.ConnectionString(database, "vgac_app"));
        await using var command = source.CreateCommand("UPDATE events SET summary = 'rewritten'");
        await command.ExecuteNonQueryAsync(Ct);
    }
}
