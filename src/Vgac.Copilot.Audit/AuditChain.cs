using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit;

/// <summary>What verifying a trail's hash chain found: how many records it covers, and the first link that does not hold.</summary>
/// <param name="Verified">Records whose hash and link to the one before both hold.</param>
/// <param name="Unchained">Records written before the trail had a chain (kept, but nothing vouches for them).</param>
/// <param name="BrokenAt">The first record whose content or link does not match, or null.</param>
/// <param name="Why">What does not match there.</param>
public sealed record ChainReport(long Verified, long Unchained, long? BrokenAt, string? Why)
{
    public bool Intact => BrokenAt is null;

    /// <summary>Records linked under the key (HMAC-SHA256).</summary>
    public long Keyed { get; init; }

    /// <summary>Records linked by plain SHA-256, written before the trail was keyed.</summary>
    public long Legacy { get; init; }

    /// <summary>Where the key that checked the chain came from; null when the check had none.</summary>
    public string? KeyOrigin { get; init; }

    /// <summary>
    /// Keyed records whose content could not be checked, for want of the key: their links hold, but a full re-hash
    /// by someone with the key cannot be told from the original.
    /// </summary>
    public long Unverifiable { get; init; }

    /// <summary>How the trail stands against its anchor (null: no anchor here yet).</summary>
    public string? Anchor { get; init; }

    /// <summary>The last record walked (the point a clean check records as verified).</summary>
    public AnchorPoint? Tip { get; init; }

    /// <summary>Whether the trail was walked in two halves at once (a long trail whose halves joined cleanly).</summary>
    public bool Split { get; init; }

    /// <summary>Where an incremental walk began (the point the last clean check verified); null for a walk of the whole trail.</summary>
    public AnchorPoint? From { get; init; }
}

/// <summary>
/// The audit trail as a hash chain: each record carries a link over its own content and the link of the record before
/// it, an HMAC-SHA256 under the trail's key (<see cref="TrailKey"/>; a plain SHA-256 in records written before the
/// trail was keyed). Editing, removing or inserting a record behind the application's back breaks every link after
/// it, and without the key nobody can make the links whole again; cutting the tail off is caught by the anchor kept
/// outside the store (<see cref="TrailAnchor"/>). <c>audit --check</c> names the first break. One chain per trail,
/// across its clusters.
/// </summary>
public static class AuditChain
{
    /// <summary>
    /// The link of a record: its fields, each length-prefixed (so no two records can read alike), after the previous
    /// link; keyed when <paramref name="key"/> is given.
    /// </summary>
    public static string Hash(TrailKey? key, string? previous, long id, AuditEvent e)
    {
        // Written straight into a reused byte buffer (the walk of a year's trail links millions of records).
        var text = Buffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        text.ResetWrittenCount();
        Field(text, previous);
        Field(text, id.ToString(CultureInfo.InvariantCulture));
        Field(text, AuditStore.Stamp(e.At));
        Field(text, e.Cycle.ToString(CultureInfo.InvariantCulture));
        Field(text, e.Kind.Wire());
        Field(text, e.JobId);
        Field(text, e.Tier?.ToString(CultureInfo.InvariantCulture));
        Field(text, e.ProposalId);
        Field(text, e.Summary);
        Field(text, e.Payload);
        Field(text, e.Cluster);
        return key is null
            ? Convert.ToHexStringLower(SHA256.HashData(text.WrittenSpan))
            : key.Mac(text.WrittenSpan);
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? Buffer;

    /// <summary>One field, length-prefixed (its length in UTF-16 characters, then ':', the text, '|'); null as <c>-1:|</c>.</summary>
    private static void Field(System.Buffers.ArrayBufferWriter<byte> text, string? value)
    {
        if (value is null)
        {
            "-1:|"u8.CopyTo(text.GetSpan(4));
            text.Advance(4);
            return;
        }

        var span = text.GetSpan(11 + Encoding.UTF8.GetMaxByteCount(value.Length) + 1);
        value.Length.TryFormat(span, out var written, provider: CultureInfo.InvariantCulture);
        span[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(value, span[written..]);
        span[written++] = (byte)'|';
        text.Advance(written);
    }

    /// <summary>Whether a record's own link holds (under the key when the link is keyed); null when it is keyed and there is no key.</summary>
    public static bool? Holds(TrailKey? key, ChainedRecord record)
    {
        if (record.Hash is not { } hash)
        {
            return false;
        }

        var keyed = hash.StartsWith(TrailKey.Prefix, StringComparison.Ordinal);
        return keyed && key is null ? null : Hash(keyed ? key : null, record.PreviousHash, record.Event.Id, record.Event) == hash;
    }

    /// <summary>
    /// Whether row <paramref name="row"/>'s own link holds, made over the bytes the store holds (what the writer
    /// linked, for every record it wrote); null when the link is keyed and there is no key. Where the bytes do not
    /// match, the record as read decides (a stored form the writer does not make, such as another timestamp layout).
    /// </summary>
    internal static bool? Holds(TrailKey? key, ChainRows rows, int row, bool keyed)
    {
        if (keyed && key is null)
        {
            return null;
        }

        var text = Buffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        text.ResetWrittenCount();
        Field(text, rows, row, ChainRows.PreviousHash);
        for (var column = 0; column < ChainRows.PreviousHash; column++)
        {
            Field(text, rows, row, column);
        }

        Span<byte> link = stackalloc byte[32];
        if (keyed)
        {
            key!.Mac(text.WrittenSpan, link);
        }
        else
        {
            SHA256.HashData(text.WrittenSpan, link);
        }

        var stored = rows.Field(row, ChainRows.Hash);
        return IsHex(keyed ? stored[TrailKey.Prefix.Length..] : stored, link) || (rows.ToRecord(row) is { } record && Holds(key, record) == true);
    }

    /// <summary>A stored column as <see cref="Field(System.Buffers.ArrayBufferWriter{byte}, string?)"/> writes its text.</summary>
    private static void Field(System.Buffers.ArrayBufferWriter<byte> text, ChainRows rows, int row, int column)
    {
        if (rows.IsNull(row, column))
        {
            "-1:|"u8.CopyTo(text.GetSpan(4));
            text.Advance(4);
            return;
        }

        var value = rows.Field(row, column);
        var characters = System.Text.Ascii.IsValid(value) ? value.Length : Encoding.UTF8.GetCharCount(value);
        var span = text.GetSpan(11 + value.Length + 1);
        characters.TryFormat(span, out var written, provider: CultureInfo.InvariantCulture);
        span[written++] = (byte)':';
        value.CopyTo(span[written..]);
        written += value.Length;
        span[written++] = (byte)'|';
        text.Advance(written);
    }

    /// <summary>Whether <paramref name="hex"/> is <paramref name="bytes"/> in lower-case hex.</summary>
    private static bool IsHex(ReadOnlySpan<byte> hex, ReadOnlySpan<byte> bytes)
    {
        if (hex.Length != bytes.Length * 2)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            if (hex[2 * i] != "0123456789abcdef"u8[bytes[i] >> 4] || hex[(2 * i) + 1] != "0123456789abcdef"u8[bytes[i] & 0xF])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Records from which a full walk splits the trail in two halves walked at once.</summary>
    internal const long SplitFrom = 200_000;

    /// <summary>Feeds <paramref name="walk"/> every row of <paramref name="batches"/> until it stops.</summary>
    private static async Task<(ChainWalk Walk, ChainWalk.Step Step)> WalkAsync(ChainWalk walk, IAsyncEnumerable<ChainRows> batches, CancellationToken cancellationToken)
    {
        await foreach (var rows in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            using (rows)
            {
                for (var row = 0; row < rows.Count; row++)
                {
                    if (walk.Walk(rows, row) is not ChainWalk.Step.Next and var step)
                    {
                        return (walk, step);
                    }
                }
            }
        }

        return (walk, ChainWalk.Step.Next);
    }

    /// <summary>
    /// Walks every record of the trail in order (those with ids outside the sequence too) and checks each link and its
    /// tie to the record before. A trail whose front was pruned starts with a record linking to one that is gone: a
    /// checkpoint record must vouch for exactly that link. Once a keyed link appears, every later link must be keyed.
    /// With <paramref name="anchor"/>, the trail must still reach the point its writers recorded, with the same link.
    /// The store's read runs ahead of the check on a second thread, a batch at a time: memory stays flat.
    /// </summary>
    /// <param name="store">The trail.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <param name="key">The key to check links with (default: the store's).</param>
    /// <param name="anchor">The trail's anchor (default: the store's).</param>
    /// <param name="full">
    /// Walk the whole trail. Otherwise, when the anchor holds a point a clean check verified, walk on from there (that
    /// record must still carry the link it had), plus any record outside the sequence: the check stays as fast as the
    /// records added since, however long the trail.
    /// </param>
    public static Task<ChainReport> VerifyAsync(AuditStore store, CancellationToken cancellationToken, TrailKey? key = null, TrailAnchor? anchor = null, bool full = true) =>
        VerifyAsync(store, cancellationToken, key, anchor, full, SplitFrom);

    /// <summary><see cref="VerifyAsync(AuditStore, CancellationToken, TrailKey?, TrailAnchor?, bool)"/>, splitting a full walk from <paramref name="splitFrom"/> records.</summary>
    /// <param name="store">The trail.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <param name="key">The key to check links with (default: the store's).</param>
    /// <param name="anchor">The trail's anchor (default: the store's).</param>
    /// <param name="full">Walk the whole trail.</param>
    /// <param name="splitFrom">Records from which a full walk is split in two halves.</param>
    internal static async Task<ChainReport> VerifyAsync(AuditStore store, CancellationToken cancellationToken, TrailKey? key, TrailAnchor? anchor, bool full, long splitFrom)
    {
        key ??= store.Key;
        anchor ??= store.Anchor;
        var state = anchor?.Read();
        var written = state?.Written;
        var from = full ? null : state?.Verified;

        if (await OutsideTheSequenceAsync(store, cancellationToken).ConfigureAwait(false) is { } planted)
        {
            return planted with { KeyOrigin = key?.Origin, From = from };
        }

        ChainWalk? walk = null;
        var split = false;
        if (from is null && await store.Backend.ChainBoundsAsync(cancellationToken).ConfigureAwait(false) is { } bounds && bounds.Last - bounds.First >= splitFrom)
        {
            // A long trail is walked in two halves at once (a core each), the second from inside the chain; they are
            // added up only when they join cleanly, and otherwise walked again in one for the precise finding.
            var middle = bounds.First + ((bounds.Last - bounds.First) / 2);
            var halves = await Task.WhenAll(
                Task.Run(() => WalkAsync(new ChainWalk(key, null, written), store.Backend.ChainRowsAsync(bounds.First, cancellationToken, middle - 1), cancellationToken), cancellationToken),
                Task.Run(() => WalkAsync(new ChainWalk(key, null, written, continuing: true), store.Backend.ChainRowsAsync(middle, cancellationToken), cancellationToken), cancellationToken)).ConfigureAwait(false);
            walk = halves[0].Walk.Join(halves[1].Walk);
            split = walk is not null;
        }

        if (walk is null)
        {
            (walk, var step) = await WalkAsync(new ChainWalk(key, from, written), ChainRows.ReadAhead(store.Backend.ChainRowsAsync(from?.Id ?? 1, cancellationToken), cancellationToken), cancellationToken).ConfigureAwait(false);
            switch (step)
            {
                case ChainWalk.Step.Broken:
                    return walk.Break!;
                case ChainWalk.Step.WalkWhole:
                    return await VerifyAsync(store, cancellationToken, key, anchor, full: true, splitFrom).ConfigureAwait(false);
            }
        }

        if (!walk.Started)
        {
            // Nothing at or after the point: the trail was cut, or pruned whole; the whole walk (and the anchor) says which.
            return await VerifyAsync(store, cancellationToken, key, anchor, full: true, splitFrom).ConfigureAwait(false);
        }

        if (walk.Cut is { } unanchored)
        {
            return walk.Report(unanchored.Id, "the records before it were removed, and no checkpoint records their removal");
        }

        var report = walk.Report() with { Split = split };
        if (written is null)
        {
            return report;
        }

        return AgainstAnchor(report, walk.AtAnchor, written, from, anchor!);
    }

    /// <summary>
    /// A record outside the trail's sequence (ids start at 1; those below sort first), which an incremental walk
    /// looks at too: it was put there behind the application's back. Null when there is none.
    /// </summary>
    private static async Task<ChainReport?> OutsideTheSequenceAsync(AuditStore store, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var record in store.Backend.ChainAsync(long.MinValue, cancellationToken, throughId: 0).ConfigureAwait(false))
            {
                return new ChainReport(0, 0, record.Event.Id, "its id lies outside the trail's sequence (ids start at 1): it was put there behind the application's back");
            }
        }
        catch (UnknownRecordKindException ex)
        {
            return new ChainReport(0, 0, ex.Id, "its id lies outside the trail's sequence (ids start at 1) and its kind is none vgac writes: it was put there behind the application's back");
        }

        return null;
    }

    /// <summary>The walk's report held against the anchor kept outside the store: records removed from the end, or the trail rewritten from the anchor on.</summary>
    private static ChainReport AgainstAnchor(ChainReport report, string? atAnchor, AnchorPoint written, AnchorPoint? from, TrailAnchor anchor)
    {
        var remedy = $" (if the trail was replaced on purpose, remove the anchor {anchor.File})";
        return (report.Tip, atAnchor) switch
        {
            (null, _) => report with { BrokenAt = written.Id, Why = $"the trail is empty, but its anchor says it reached record {written.Id}: its records were removed{remedy}" },
            ({ } t, _) when t.Id < written.Id => report with { BrokenAt = t.Id, Why = $"the trail ends at record {t.Id}, before its anchor at record {written.Id}: records were removed from its end{remedy}" },
            (_, null) when from is not null && written.Id <= from.Id => report with { Anchor = $"reaches its anchor at record {written.Id}" },
            (_, null) => report with { BrokenAt = written.Id, Why = $"record {written.Id}, where the anchor stands, is gone{remedy}" },
            (_, { } link) when link != written.Hash => report with { BrokenAt = written.Id, Why = $"record {written.Id} does not match the anchor: the trail was rewritten from there{remedy}" },
            _ => report with { Anchor = $"reaches its anchor at record {written.Id}" },
        };
    }
}
