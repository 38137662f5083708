using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vgac.Copilot.Watch.Storage;

namespace Vgac.Copilot.Watch;

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
        Field(text, e.Kind);
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
    /// Walks every record of the trail in order (those with ids outside the sequence too) and checks each link and its
    /// tie to the record before. A trail whose front was pruned starts with a record linking to one that is gone: a
    /// checkpoint record must vouch for exactly that link. Once a keyed link appears, every later link must be keyed.
    /// With <paramref name="anchor"/>, the trail must still reach the point its writers recorded, with the same link.
    /// </summary>
    /// <param name="store">The trail.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <param name="key">The key to check links with (default: the store's).</param>
    /// <param name="anchor">The trail's anchor (default: the store's).</param>
    /// <param name="full">
    /// Walk the whole trail. Otherwise, when the anchor holds a point a clean check verified, walk on from there (that
    /// record must still carry the link it had), plus any record outside the sequence: the check stays as fast as the
    /// records added since, however long the trail. Reading is streamed either way: memory does not grow with the trail.
    /// </param>
    public static async Task<ChainReport> VerifyAsync(AuditStore store, CancellationToken cancellationToken, TrailKey? key = null, TrailAnchor? anchor = null, bool full = true)
    {
        key ??= store.Key;
        anchor ??= store.Anchor;
        var state = anchor?.Read();
        var written = state?.Written;
        var from = full ? null : state?.Verified;
        string? previous = null, atAnchor = null;
        long verified = 0, unchained = 0, keyed = 0, legacy = 0, unverifiable = 0;
        var chained = false;
        (long Id, string Link)? cut = null;
        AnchorPoint? tip = null;
        ChainReport Broken(long id, string why) => new(verified, unchained, id, why) { Keyed = keyed, Legacy = legacy, KeyOrigin = key?.Origin, Unverifiable = unverifiable, Tip = tip, From = from };

        // Records outside the sequence sort first (ids below 1): an incremental walk looks at them too, then skips ahead.
        await foreach (var record in store.Backend.ChainAsync(long.MinValue, cancellationToken, throughId: 0).ConfigureAwait(false))
        {
            return Broken(record.Event.Id, "its id lies outside the trail's sequence (ids start at 1): it was put there behind the application's back");
        }

        if (from is not null)
        {
            (previous, chained) = (from.Hash, true);
        }

        var first = true;
        await foreach (var record in store.Backend.ChainAsync(from?.Id ?? 1, cancellationToken).ConfigureAwait(false))
        {
            var (e, prev, hash) = (record.Event, record.PreviousHash, record.Hash);
            var id = e.Id;
            if (from is not null && first)
            {
                first = false;
                if (id != from.Id)
                {
                    // The point is gone (a prune removes the front): walk the whole trail, whose checkpoints say what went.
                    return await VerifyAsync(store, cancellationToken, key, anchor, full: true).ConfigureAwait(false);
                }

                if (hash != from.Hash)
                {
                    return Broken(from.Id, $"record {from.Id}, where the last clean check stopped, was changed since ('audit --check --full' walks the whole trail)");
                }

                tip = from;
                continue;
            }

            if (hash is null)
            {
                if (chained)
                {
                    return Broken(id, "it carries no hash, inside the chain");
                }

                unchained++;
                continue;
            }

            if (!chained && prev is not null)
            {
                // The first chained record links to one that is not here: the front was removed.
                cut = (id, prev);
            }
            else if (chained && prev != previous)
            {
                return Broken(id, "it does not link to the record before it (one was removed or inserted)");
            }

            var isKeyed = hash.StartsWith(TrailKey.Prefix, StringComparison.Ordinal);
            if (!isKeyed && keyed > 0)
            {
                return Broken(id, "its link is not keyed, inside the keyed chain (rewritten by someone without the key)");
            }

            switch (Holds(key, record))
            {
                case false:
                    return Broken(id, isKeyed
                        ? "its content does not match its keyed link (changed after it was written, or linked under another key)"
                        : "its content does not match its hash (it was changed after it was written)");
                case null:
                    unverifiable++;
                    break;
            }

            if (cut is { } front && e.Kind == AuditKinds.Checkpoint && Checkpoint.Read(e) is { } checkpoint
                && checkpoint.ThroughId == front.Id - 1 && checkpoint.LastHash == front.Link)
            {
                cut = null;
            }

            if (written is not null && id == written.Id)
            {
                atAnchor = hash;
            }

            (previous, chained, tip) = (hash, true, new AnchorPoint(id, hash, e.At));
            verified++;
            _ = isKeyed ? keyed++ : legacy++;
        }

        if (from is not null && first)
        {
            // Nothing at or after the point: the trail was cut, or pruned whole; the whole walk (and the anchor) says which.
            return await VerifyAsync(store, cancellationToken, key, anchor, full: true).ConfigureAwait(false);
        }

        if (cut is { } unanchored)
        {
            return Broken(unanchored.Id, "the records before it were removed, and no checkpoint records their removal");
        }

        var report = new ChainReport(verified, unchained, null, null) { Keyed = keyed, Legacy = legacy, KeyOrigin = key?.Origin, Unverifiable = unverifiable, Tip = tip, From = from };
        if (written is null)
        {
            return report;
        }

        var remedy = $" (if the trail was replaced on purpose, remove the anchor {anchor!.File})";
        return (tip, atAnchor) switch
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
