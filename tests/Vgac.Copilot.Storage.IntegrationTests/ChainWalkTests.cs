using Vgac.Copilot.Testing;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>
/// The chain walk at a year's size: the store's rows read as stored bytes, a long trail walked in two halves at once.
/// Whatever the trail holds, the split walk must say exactly what the walk in one says.
/// </summary>
public sealed class ChainWalkTests
{
    private static readonly TrailKey Key = TrailKey.FromText("a-team-secret-of-at-least-32-characters", "test");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A trail of <paramref name="records"/> records: the first <paramref name="legacy"/> linked before the trail had a key, the rest under it.</summary>
    private static async Task<AuditStore> TrailAsync(string provider, int records, int legacy = 0)
    {
        var location = await Stores.LocationAsync(provider);
        var anchor = TrailAnchor.For(TestPaths.NewFolder("anchor-"), location);
        var before = new AuditStore(Stores.Backend(provider, location), "eks");
        var store = new AuditStore(Stores.Backend(provider, location), "eks", key: Key, anchor: anchor);
        if (legacy > 0)
        {
            await before.AppendAsync(Records(1, legacy), Ct);
        }

        for (var first = legacy + 1; first <= records; first += 1000)
        {
            await store.AppendAsync(Records(first, Math.Min(1000, records - first + 1)), Ct);
        }

        return store;
    }

    private static List<AuditEvent> Records(int first, int count) =>
    [
        .. Enumerable.Range(first, count).Select(n => n % 3 == 0
            ? new AuditEvent(0, Start.AddSeconds(30 * n), n, AuditKind.Observation, null, null, null, $"cycle {n}: 15/104 GPUs free", """{"gpus_free":15}""")
            : new AuditEvent(0, Start.AddSeconds(30 * n), n, AuditKind.Proposal, $"job-{n:000000}", 2, $"prop-{n}", "warn: likely to wait", null)),
    ];

    private static async Task<(ChainReport Whole, ChainReport Split)> BothAsync(AuditStore store) =>
        (await AuditChain.VerifyAsync(store, Ct, null, null, full: true, splitFrom: long.MaxValue),
         await AuditChain.VerifyAsync(store, Ct, null, null, full: true, splitFrom: 1));

    private static void SameReport(ChainReport whole, ChainReport split)
    {
        Assert.Equal(
            (whole.BrokenAt, whole.Why, whole.Verified, whole.Unchained, whole.Keyed, whole.Legacy, whole.Anchor, whole.Tip),
            (split.BrokenAt, split.Why, split.Verified, split.Unchained, split.Keyed, split.Legacy, split.Anchor, split.Tip));
    }

    public static TheoryData<string, string, long?> Tampering()
    {
        // Seven records: the split walk's halves are 1-3 and 4-7 (the middle of the ids).
        var data = new TheoryData<string, string, long?>();
        foreach (var provider in (string[])["sqlite", "postgres"])
        {
            data.Add(provider, "SELECT 1", null);
            data.Add(provider, "UPDATE events SET summary = 'nothing to see' WHERE id = 4", 4);
            data.Add(provider, "UPDATE events SET summary = 'nothing to see' WHERE id = 6", 6);
            data.Add(provider, "DELETE FROM events WHERE id = 4", 5);
            data.Add(provider, "DELETE FROM events WHERE id = 3", 4);
            data.Add(provider, "UPDATE events SET hash = NULL WHERE id = 4", 4);
            data.Add(provider, "UPDATE events SET hash = NULL, prev_hash = NULL WHERE id <= 3", 4);
            data.Add(provider, "DELETE FROM events WHERE id <= 2", 3);
            data.Add(provider, "DELETE FROM events WHERE id >= 6", 5);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task SplitWalk_AnyTrail_SaysWhatTheWalkInOneSays(string provider, string sql, long? brokenAt)
    {
        var store = await TrailAsync(provider, 7);
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, sql));

        var (whole, split) = await BothAsync(store);

        Assert.Equal(brokenAt, whole.BrokenAt);
        SameReport(whole, split);
        Assert.True(brokenAt is not null || split.Split, "an intact trail is walked in two halves");
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task SplitWalk_KeyedHalfThenAnUnkeyedLink_BreaksWhereTheWalkInOneDoes(string provider)
    {
        // Records 1-4 unkeyed, 5-9 keyed: the first half ends keyed, and an unkeyed link planted in the second half
        // (its content re-hashed by plain SHA-256, as someone without the key would) is inside the keyed chain.
        var store = await TrailAsync(provider, 9, legacy: 4);
        var (whole, split) = await BothAsync(store);
        Assert.True(whole.Intact, whole.Why);
        Assert.Equal((5L, 4L), (whole.Keyed, whole.Legacy));
        SameReport(whole, split);
        Assert.True(split.Split);

        ChainedRecord? planted = null;
        await foreach (var record in store.Backend.ChainAsync(8, Ct, throughId: 8))
        {
            planted = record;
        }

        Assert.NotNull(planted);
        var relinked = AuditChain.Hash(null, planted.PreviousHash, 8, planted.Event);
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, $"UPDATE events SET hash = '{relinked}' WHERE id = 8"));

        (whole, split) = await BothAsync(store);
        Assert.Equal(8, whole.BrokenAt);
        Assert.StartsWith("its link is not keyed, inside the keyed chain", whole.Why, StringComparison.Ordinal);
        SameReport(whole, split);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task SplitWalk_TrailOfSeveralBatches_VerifiesEveryRecord_AndFindsALateEdit(string provider)
    {
        var records = (2 * ChainRows.DefaultCapacity) + 300;
        var store = await TrailAsync(provider, records);

        var (whole, split) = await BothAsync(store);
        Assert.Equal(records, whole.Verified);
        Assert.Equal($"reaches its anchor at record {records}", whole.Anchor);
        SameReport(whole, split);
        Assert.True(split.Split);

        await Stores.RawAsync(store, Stores.WithoutTriggers(store, $"UPDATE events SET job_id = 'job-999999' WHERE id = {records - 10}"));
        (whole, split) = await BothAsync(store);
        Assert.Equal(records - 10, whole.BrokenAt);
        SameReport(whole, split);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task StoredBytes_TextBeyondAscii_EmptyBesideNull_AndAnotherTimestampLayout_CheckedAsTheRecordReads(string provider)
    {
        var store = await TrailAsync(provider, 0);
        await store.AppendAsync(
        [
            new AuditEvent(0, Start, 1, AuditKind.Observation, "", null, "", "déjà vu on 🚀 node \u202E", ""),
            new AuditEvent(0, Start, 1, AuditKind.Observation, null, 0, null, "", null),
        ], Ct);

        var chain = await AuditChain.VerifyAsync(store, Ct);
        Assert.True(chain.Intact, chain.Why);

        // The same instant written in another layout: the record reads the same, so its link still holds.
        await Stores.RawAsync(store, Stores.WithoutTriggers(store, "UPDATE events SET at = '2026-11-30T12:00:00Z' WHERE id = 1"));
        chain = await AuditChain.VerifyAsync(store, Ct);
        Assert.True(chain.Intact, chain.Why);

        // An empty value is not a missing one.
        // (The triggers stay lifted from the edit before.)
        await Stores.RawAsync(store, "UPDATE events SET job_id = NULL WHERE id = 1");
        chain = await AuditChain.VerifyAsync(store, Ct);
        Assert.Equal(1, chain.BrokenAt);
    }
}
