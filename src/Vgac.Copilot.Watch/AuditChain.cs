using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

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

    /// <summary>Walks the whole trail in order and checks every record's hash and its link to the one before.</summary>
    public static async Task<ChainReport> VerifyAsync(AuditStore store, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster, prev_hash, hash FROM events ORDER BY id";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? previous = null;
        long verified = 0, unchained = 0;
        var chained = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            var (prev, hash) = (reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11));
            if (hash is null)
            {
                if (chained)
                {
                    return new ChainReport(verified, unchained, id, "it carries no hash, inside the chain");
                }

                unchained++;
                continue;
            }

            var e = AuditStore.Read(reader);
            if (chained && prev != previous)
            {
                return new ChainReport(verified, unchained, id, "it does not link to the record before it (one was removed or inserted)");
            }

            if (Hash(prev, id, e) != hash)
            {
                return new ChainReport(verified, unchained, id, "its content does not match its hash (it was changed after it was written)");
            }

            (previous, chained) = (hash, true);
            verified++;
        }

        return new ChainReport(verified, unchained, null, null);
    }

    /// <summary>The hash the next record links to (null when the trail has no chained record yet). Inside the write transaction.</summary>
    internal static async Task<(long NextId, string? Previous)> TipAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0) + 1, reader.IsDBNull(1) ? null : reader.GetString(1))
            : (1, null);
    }
}
