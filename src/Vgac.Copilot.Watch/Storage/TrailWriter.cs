using System.Data.Common;
using System.Globalization;

namespace Vgac.Copilot.Watch.Storage;

/// <summary>What differs between the stores' SQL on the write path: the parameter marker, and how to read a payload's <c>state</c>.</summary>
/// <param name="Marker"><c>$</c> (SQLite) or <c>@</c> (PostgreSQL).</param>
/// <param name="PayloadState">The SQL expression for the <c>state</c> field of the payload of an execution row aliased <c>o</c>.</param>
public sealed record TrailDialect(char Marker, string PayloadState);

/// <summary>
/// The one way records enter a trail, in either store, inside the caller's write transaction (taken under the store's
/// write lock): the fence checked, each start's reservation checked and refused in place, each record chained to the
/// one before. The guarantees live here once; a store only opens the transaction and takes its lock.
/// </summary>
public static class TrailWriter
{
    /// <summary>Refuses the whole append unless the lease still names this holder and token.</summary>
    /// <exception cref="LeadershipLostException">Another replica holds the lease now (or nobody does).</exception>
    public static async Task CheckFenceAsync(DbConnection connection, DbTransaction transaction, TrailDialect dialect, LeaseFence fence, CancellationToken cancellationToken)
    {
        await using var query = Command(connection, transaction, $"SELECT holder, token FROM leases WHERE name = {dialect.Marker}name", dialect, ("name", fence.Name));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var (holder, token) = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetInt64(1)) : (null, 0L);
        if (holder != fence.Holder || token != fence.Token)
        {
            throw new LeadershipLostException(SchemaText.Lost(fence, holder, token));
        }
    }

    /// <summary>The id and hash the next record follows (1 and null on an empty trail; a prune always leaves its checkpoint).</summary>
    public static async Task<(long NextId, string? Previous)> TipAsync(DbConnection connection, DbTransaction transaction, TrailDialect dialect, CancellationToken cancellationToken)
    {
        await using var query = Command(connection, transaction, "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", dialect);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0) + 1, reader.IsDBNull(1) ? null : reader.GetString(1))
            : (1, null);
    }

    /// <summary>Writes records after <paramref name="tip"/>; a start whose job and tier another holds is replaced by the refusal the rules make.</summary>
    /// <returns>The starts that lost, each with the start that holds the reservation.</returns>
    public static async Task<IReadOnlyList<ReservationConflict>> WriteAsync(
        DbConnection connection, DbTransaction transaction, TrailDialect dialect, string cluster, IReadOnlyList<AuditEvent> events, ReservationRules? reservations,
        (long NextId, string? Previous) tip, CancellationToken cancellationToken)
    {
        var m = dialect.Marker;
        var (id, previous) = tip;
        var conflicts = new List<ReservationConflict>();
        foreach (var original in events)
        {
            var e = original with { Cluster = cluster };
            if (reservations is not null && e.Kind == AuditKinds.ExecutionStarted
                && await HolderAsync(connection, transaction, dialect, cluster, e, reservations.Window, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                var conflict = new ReservationConflict(e, holder.ProposalId, holder.At, holder.State);
                conflicts.Add(conflict);
                e = reservations.Refuse(conflict) with { Cluster = cluster };
            }

            var hash = AuditChain.Hash(previous, id, e);
            await using var insert = Command(connection, transaction,
                $"INSERT INTO events (id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster, prev_hash, hash) VALUES "
                + $"({m}id, {m}at, {m}cycle, {m}kind, {m}job, {m}tier, {m}proposal, {m}summary, {m}payload, {m}cluster, {m}prev, {m}hash)", dialect,
                ("id", id), ("at", AuditStore.Stamp(e.At)), ("cycle", e.Cycle), ("kind", e.Kind), ("job", e.JobId), ("tier", e.Tier), ("proposal", e.ProposalId),
                ("summary", e.Summary), ("payload", e.Payload), ("cluster", cluster), ("prev", previous), ("hash", hash));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            (id, previous) = (id + 1, hash);
        }

        return conflicts;
    }

    /// <summary>The start that holds the job and tier within the window: one in flight (no outcome yet), done, or interrupted.</summary>
    private static async Task<(string ProposalId, DateTimeOffset At, string? State)?> HolderAsync(
        DbConnection connection, DbTransaction transaction, TrailDialect dialect, string cluster, AuditEvent start, TimeSpan window, CancellationToken cancellationToken)
    {
        var m = dialect.Marker;
        await using var query = Command(connection, transaction, $"""
            SELECT s.proposal_id, s.at,
                   (SELECT {dialect.PayloadState} FROM events o WHERE o.kind = 'execution' AND o.proposal_id = s.proposal_id ORDER BY o.id DESC LIMIT 1)
            FROM events s
            WHERE s.kind = 'execution_started' AND s.cluster = {m}cluster AND s.job_id = {m}job AND s.tier = {m}tier AND s.at >= {m}since
            ORDER BY s.id DESC
            """, dialect, ("cluster", cluster), ("job", start.JobId), ("tier", start.Tier), ("since", AuditStore.Stamp(start.At - window)));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var state = reader.IsDBNull(2) ? null : reader.GetString(2);
            if (ReservationRules.Holds(state))
            {
                return (reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), state);
            }
        }

        return null;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, TrailDialect dialect, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = dialect.Marker + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
