using System.Globalization;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>
/// The keyed chain and its anchor: someone who can write the store but holds no key cannot cut the tail, rewrite the
/// chain, or plant records outside it without <c>audit --check</c> saying so; a planted start reserves nothing.
/// </summary>
public sealed class KeyedChainTests
{
    private static readonly TrailKey Key = TrailKey.FromText("a-team-secret-of-at-least-32-characters", "test");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A keyed trail with its anchor, three cycles of an observation and a start with its outcome.</summary>
    private static async Task<AuditStore> TrailAsync(string provider)
    {
        var location = await Stores.LocationAsync(provider);
        var store = new AuditStore(Stores.Backend(provider, location), "eks", key: Key, anchor: TrailAnchor.For(Vgac.Copilot.Testing.TestPaths.NewFolder("anchor-"), location));
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        for (var cycle = 1; cycle <= 3; cycle++)
        {
            await store.AppendAsync(
            [
                new AuditEvent(0, at.AddMinutes(cycle), cycle, AuditKind.Observation, null, null, null, $"cycle {cycle}", """{"gpus_free":3}"""),
                new AuditEvent(0, at.AddMinutes(cycle), cycle, AuditKind.ExecutionStarted, $"job-{cycle}", 4, $"prop-{cycle}", "started", null),
                new AuditEvent(0, at.AddMinutes(cycle), cycle, AuditKind.Execution, $"job-{cycle}", 4, $"prop-{cycle}", "executed", """{"state":"executed"}"""),
            ], Ct);
        }

        return store;
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Keyed_AsWritten_VerifiedUnderTheKey_ReachesItsAnchor(string provider)
    {
        var store = await TrailAsync(provider);

        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.True(chain.Intact, chain.Why);
        Assert.Equal((9, 9, 0L), (chain.Verified, chain.Keyed, chain.Legacy));
        Assert.Equal("reaches its anchor at record 9", chain.Anchor);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task TailCut_EveryExecutionDeleted_TheTrailEndsBeforeItsAnchor(string provider)
    {
        var store = await TrailAsync(provider);
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, "DELETE FROM events WHERE id >= 8"));

        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.Equal(7, chain.BrokenAt);
        Assert.StartsWith("the trail ends at record 7, before its anchor at record 9: records were removed from its end", chain.Why, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task FullRehash_WithoutTheKey_AnExecutionEdited_Caught(string provider)
    {
        // Someone who can write the store edits an execution and recomputes every link, as plain SHA-256 and under a key of their own.
        foreach (var forger in new TrailKey?[] { null, TrailKey.FromText("someone-elses-key-of-at-least-32-chars", "forger") })
        {
            var store = await TrailAsync(provider);
            await RehashAsync(store, forger, edit: (id: 6, summary: "nothing ran"));

            var chain = await AuditChain.VerifyAsync(store, Ct);

            Assert.False(chain.Intact);
            Assert.Equal(forger is null ? 9 : 1, chain.BrokenAt);
            Assert.StartsWith(forger is null ? "record 9 does not match the anchor" : "its content does not match its keyed link", chain.Why, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task NoKeyToCheckWith_LinksStillChecked_AndTheReportSaysSo(string provider)
    {
        var store = await TrailAsync(provider);
        var keyless = new AuditStore(store.Backend, "eks");

        var chain = await AuditChain.VerifyAsync(keyless, Ct);

        Assert.True(chain.Intact, chain.Why);
        Assert.Null(chain.KeyOrigin);
        Assert.Equal(9, chain.Unverifiable);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task RecordOfAKindVgacDoesNotWrite_ReadingNamesIt_AndTheCheckFindsItWithoutFailing(string provider)
    {
        var store = await TrailAsync(provider);
        var at = AuditStore.Stamp(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await Stores.RawAsync(store, "INSERT INTO events (id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster) "
            + $"VALUES (-7, '{at}', 0, 'teleport', NULL, NULL, NULL, 'planted', NULL, 'eks')");

        var read = await Assert.ThrowsAnyAsync<AuditStoreException>(() => store.QueryAsync(cancellationToken: Ct));
        var chain = await AuditChain.VerifyAsync(store, Ct);

        Assert.StartsWith("record -7 of the audit trail is of kind 'teleport', which this vgac does not write", read.Message, StringComparison.Ordinal);
        Assert.False(chain.Intact);
        Assert.Equal(-7, chain.BrokenAt);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task RecordOutsideTheSequence_NegativeIdNoHashDatedFar_CheckFindsIt_AndItReservesNothing(string provider)
    {
        var store = await TrailAsync(provider);
        var at = AuditStore.Stamp(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await Stores.RawAsync(store, "INSERT INTO events (id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster) "
            + $"VALUES (-1000, '{at}', 0, 'execution_started', 'job-9', 4, 'planted', 'in flight', NULL, 'eks')");
        var rules = new ReservationRules(TimeSpan.FromDays(365 * 200), Stores.Holds, c => c.Start with { Kind = AuditKind.Execution, Summary = "refused" });

        var chain = await AuditChain.VerifyAsync(store, Ct);
        var conflicts = await store.AppendAsync(
            [new AuditEvent(0, new DateTimeOffset(2099, 1, 1, 0, 1, 0, TimeSpan.Zero), 4, AuditKind.ExecutionStarted, "job-9", 4, "real", "started", null)], rules, Ct);

        Assert.Equal(-1000, chain.BrokenAt);
        Assert.StartsWith("its id lies outside the trail's sequence", chain.Why, StringComparison.Ordinal);
        Assert.Empty(conflicts);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task ForgedStartInsideTheSequence_WithoutTheKey_ReservesNothing(string provider)
    {
        var store = await TrailAsync(provider);
        // A start appended at the tip by someone without the key: its link is made with a key of their own.
        var forger = new AuditStore(store.Backend, "eks", key: TrailKey.FromText("someone-elses-key-of-at-least-32-chars", "forger"));
        await forger.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 9, AuditKind.ExecutionStarted, "job-7", 4, "forged", "in flight", null)], Ct);
        var rules = new ReservationRules(TimeSpan.FromHours(1), Stores.Holds, c => c.Start with { Kind = AuditKind.Execution, Summary = "refused" });

        var conflicts = await store.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 10, AuditKind.ExecutionStarted, "job-7", 4, "real", "started", null)], rules, Ct);
        var genuine = await store.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 11, AuditKind.ExecutionStarted, "job-7", 4, "again", "started", null)], rules, Ct);

        Assert.Empty(conflicts);
        Assert.Equal("real", Assert.Single(genuine).HolderProposalId); // the real start does hold it
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Incremental_AfterACleanCheck_WalksOnlyWhatWasAddedSince(string provider)
    {
        var store = await TrailAsync(provider);
        var first = await AuditChain.VerifyAsync(store, Ct, full: false);
        Actions.TrailCheck.Verified(store, first);
        await store.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 4, AuditKind.Observation, null, null, null, "cycle 4", null)], Ct);

        var next = await AuditChain.VerifyAsync(store, Ct, full: false);

        Assert.True(first.Intact && next.Intact, first.Why ?? next.Why);
        Assert.Equal((9L, (long?)null), (first.Verified, first.From?.Id));
        Assert.Equal((1L, 9L, 10L), (next.Verified, next.From!.Id, next.Tip!.Id));
        Assert.Equal("reaches its anchor at record 10", next.Anchor);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Incremental_VerifiedPointRewritten_Broken_AnEarlierEditIsForTheFullPass(string provider)
    {
        var store = await TrailAsync(provider);
        Actions.TrailCheck.Verified(store, await AuditChain.VerifyAsync(store, Ct));
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, "UPDATE events SET summary = 'nothing happened' WHERE id = 3"));

        var incremental = await AuditChain.VerifyAsync(store, Ct, full: false);
        var full = await AuditChain.VerifyAsync(store, Ct);
        await Stores.RawAsync(store, "UPDATE events SET hash = 'k1:00' WHERE id = 9"); // the triggers are off since the edit above
        var atThePoint = await AuditChain.VerifyAsync(store, Ct, full: false);

        Assert.True(incremental.Intact, incremental.Why);
        Assert.Equal(3, full.BrokenAt);
        Assert.Equal(9, atThePoint.BrokenAt);
        Assert.StartsWith("record 9, where the last clean check stopped, was changed since", atThePoint.Why, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Incremental_VerifiedPointCutOffTheEnd_FallsBackToTheWholeWalk_WhichFindsTheCut(string provider)
    {
        var store = await TrailAsync(provider);
        Actions.TrailCheck.Verified(store, await AuditChain.VerifyAsync(store, Ct));
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, "DELETE FROM events WHERE id >= 8"));

        var chain = await AuditChain.VerifyAsync(store, Ct, full: false);

        Assert.Null(chain.From);
        Assert.StartsWith("the trail ends at record 7, before its anchor at record 9", chain.Why, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Queue_ProposalsPlantedOutsideTheChain_NotListed(string provider)
    {
        var store = await TrailAsync(provider);
        await store.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 4, AuditKind.Proposal, "job-1", 2, "real", "proposed", null)], Ct);
        await Stores.RawAsync(store, "INSERT INTO events (id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster) VALUES "
            + $"(-5, '{AuditStore.Stamp(DateTimeOffset.UtcNow)}', 4, 'proposal', 'job-2', 4, 'planted-outside', 'proposed', NULL, 'eks'), "
            + $"(1000, '{AuditStore.Stamp(DateTimeOffset.UtcNow)}', 4, 'proposal', 'job-3', 4, 'planted-unlinked', 'proposed', NULL, 'eks')");

        var queued = await store.QueryAsync(kind: AuditKind.Proposal, cancellationToken: Ct, chainedOnly: true);

        Assert.Equal(["real"], queued.Select(e => e.ProposalId));
    }

    [Fact]
    public async Task Export_CarriesTheTrailsAnchor()
    {
        var store = await TrailAsync(StorageOptions.Sqlite);
        using var output = new StringWriter();

        await new AuditRetention(store, TimeProvider.System).ExportAsync(null, null, output, "test", Ct);

        using var header = System.Text.Json.JsonDocument.Parse(output.ToString().Split('\n')[0]);
        var anchor = header.RootElement.GetProperty("trail_anchor");
        Assert.Equal(9, anchor.GetProperty("id").GetInt64());
        Assert.StartsWith(TrailKey.Prefix, anchor.GetProperty("hash").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Rewrites every link from the first record on (after editing one record), as someone with the store but not the key would.</summary>
    private static async Task RehashAsync(AuditStore store, TrailKey? forger, (long id, string summary) edit)
    {
        var records = new List<ChainedRecord>();
        await foreach (var r in store.Backend.ChainAsync(long.MinValue, Ct))
        {
            records.Add(r);
        }

        var sql = new System.Text.StringBuilder();
        string? previous = null;
        foreach (var r in records)
        {
            var e = r.Event.Id == edit.id ? r.Event with { Summary = edit.summary } : r.Event;
            var hash = AuditChain.Hash(forger, previous, e.Id, e);
            sql.Append(CultureInfo.InvariantCulture, $"UPDATE events SET summary = '{e.Summary}', prev_hash = {(previous is null ? "NULL" : $"'{previous}'")}, hash = '{hash}' WHERE id = {e.Id}; ");
            previous = hash;
        }

        await Stores.RawAsync(store, Stores.WithoutTriggers(store, sql.ToString()));
    }
}
