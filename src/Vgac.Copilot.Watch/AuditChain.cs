using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vgac.Copilot.Watch;

/// <summary>What verifying a trail's hash chain found: how many records it covers, and the first link that does not hold.</summary>
/// <param name="Verified">Records whose hash and link to the one before both hold.</param>
/// <param name="Unchained">Records written before the trail had a chain (kept, but nothing vouches for them).</param>
/// <param name="BrokenAt">The first record whose content or link does not match, or null.</param>
/// <param name="Why">What does not match there.</param>
public sealed record ChainReport(long Verified, long Unchained, long? BrokenAt, string? Why)
{
    public bool Intact => BrokenAt is null;
}

/// <summary>
/// The audit trail as a hash chain: each record carries the SHA-256 of its own content and of the record before it,
/// so editing, removing or inserting a record behind the application's back (the append-only triggers dropped, say)
/// breaks every link after it, and <c>audit --check</c> names the first. One chain per trail, across its clusters.
/// </summary>
public static class AuditChain
{
    /// <summary>The hash of a record: its fields, each length-prefixed (so no two records can read alike), after the previous hash.</summary>
    public static string Hash(string? previous, long id, AuditEvent e)
    {
        var text = new StringBuilder();
        void Field(string? value) => text.Append(value is null ? "-1:" : string.Create(CultureInfo.InvariantCulture, $"{value.Length}:{value}")).Append('|');
        Field(previous);
        Field(id.ToString(CultureInfo.InvariantCulture));
        Field(AuditStore.Stamp(e.At));
        Field(e.Cycle.ToString(CultureInfo.InvariantCulture));
        Field(e.Kind);
        Field(e.JobId);
        Field(e.Tier?.ToString(CultureInfo.InvariantCulture));
        Field(e.ProposalId);
        Field(e.Summary);
        Field(e.Payload);
        Field(e.Cluster);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Walks the whole trail in order and checks every record's hash and its link to the one before. A trail whose
    /// front was pruned starts with a record linking to one that is gone: a checkpoint record must vouch for exactly
    /// that link (the id and hash the removed records ended on), or the front was cut without one.
    /// </summary>
    public static async Task<ChainReport> VerifyAsync(AuditStore store, CancellationToken cancellationToken)
    {
        string? previous = null;
        long verified = 0, unchained = 0;
        var chained = false;
        (long Id, string Link)? cut = null;
        await foreach (var (e, prev, hash) in store.Backend.ChainAsync(0, cancellationToken).ConfigureAwait(false))
        {
            var id = e.Id;
            if (hash is null)
            {
                if (chained)
                {
                    return new ChainReport(verified, unchained, id, "it carries no hash, inside the chain");
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
                return new ChainReport(verified, unchained, id, "it does not link to the record before it (one was removed or inserted)");
            }

            if (Hash(prev, id, e) != hash)
            {
                return new ChainReport(verified, unchained, id, "its content does not match its hash (it was changed after it was written)");
            }

            if (cut is { } front && e.Kind == AuditKinds.Checkpoint && Checkpoint.Read(e) is { } checkpoint
                && checkpoint.ThroughId == front.Id - 1 && checkpoint.LastHash == front.Link)
            {
                cut = null;
            }

            (previous, chained) = (hash, true);
            verified++;
        }

        return cut is { } unanchored
            ? new ChainReport(verified, unchained, unanchored.Id, "the records before it were removed, and no checkpoint records their removal")
            : new ChainReport(verified, unchained, null, null);
    }
}
