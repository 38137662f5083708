using System.Data.Common;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit.Storage;

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

    /// <summary>Writes records after <paramref name="tip"/>, linked under <paramref name="key"/>; a start whose job and tier another holds is replaced by the refusal the rules make.</summary>
    /// <returns>The starts that lost, each with the start that holds the reservation; and the new tip.</returns>
    public static async Task<AppendResult> WriteAsync(
        DbConnection connection, DbTransaction transaction, TrailDialect dialect, string cluster, IReadOnlyList<AuditEvent> events, ReservationRules? reservations,
        (long NextId, string? Previous) tip, TrailKey? key, CancellationToken cancellationToken)
    {
        var m = dialect.Marker;
        var (id, previous) = tip;
        var conflicts = new List<ReservationConflict>();
        foreach (var original in events)
        {
            var e = original with { Cluster = cluster };
            if (reservations is not null && e.Kind == AuditKind.ExecutionStarted
                && await HolderAsync(connection, transaction, dialect, cluster, e, reservations, key, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                var conflict = new ReservationConflict(e, holder.ProposalId, holder.At, holder.State);
                conflicts.Add(conflict);
                e = reservations.Refuse(conflict) with { Cluster = cluster };
            }

            var hash = AuditChain.Hash(key, previous, id, e);
            await using var insert = Command(connection, transaction,
                $"INSERT INTO events (id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster, prev_hash, hash) VALUES "
                + $"({m}id, {m}at, {m}cycle, {m}kind, {m}job, {m}tier, {m}proposal, {m}summary, {m}payload, {m}cluster, {m}prev, {m}hash)", dialect,
                ("id", id), ("at", AuditStore.Stamp(e.At)), ("cycle", e.Cycle), ("kind", e.Kind.Wire()), ("job", e.JobId), ("tier", e.Tier), ("proposal", e.ProposalId),
                ("summary", e.Summary), ("payload", e.Payload), ("cluster", cluster), ("prev", previous), ("hash", hash));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            (id, previous) = (id + 1, hash);
        }

        return new AppendResult(conflicts, previous is null ? null : new AnchorPoint(id - 1, previous));
    }

    /// <summary>
    /// The start that holds the job and tier within the window: one in flight (no outcome yet), done, or interrupted.
    /// Only chained records count (an id in the sequence, a link that holds under the key, tied to the record before
    /// it); a record planted behind the application's back reserves nothing, and its outcome decides nothing.
    /// </summary>
    private static async Task<(string ProposalId, DateTimeOffset At, string? State)?> HolderAsync(
        DbConnection connection, DbTransaction transaction, TrailDialect dialect, string cluster, AuditEvent start, ReservationRules rules, TrailKey? key, CancellationToken cancellationToken)
    {
        var m = dialect.Marker;
        var candidates = new List<ChainedRecord>();
        await using (var query = Command(connection, transaction, $"""
            SELECT {AuditRows.ChainColumns} FROM events s
            WHERE s.kind = {m}kind AND s.cluster = {m}cluster AND s.job_id = {m}job AND s.tier = {m}tier AND s.at >= {m}since
              AND s.id > 0 AND s.hash IS NOT NULL
            ORDER BY s.id DESC
            """, dialect, ("kind", AuditKind.ExecutionStarted.Wire()), ("cluster", cluster), ("job", start.JobId), ("tier", start.Tier), ("since", AuditStore.Stamp(start.At - rules.Window))))
        {
            await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                candidates.Add(AuditRows.ReadChained(reader));
            }
        }

        foreach (var candidate in candidates)
        {
            if (!await ChainedAsync(connection, transaction, dialect, candidate, key, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var state = await OutcomeAsync(connection, transaction, dialect, candidate, key, cancellationToken).ConfigureAwait(false);
            if (rules.Holds(state))
            {
                return (candidate.Event.ProposalId!, candidate.Event.At, state);
            }
        }

        return null;
    }

    /// <summary>Whether a record is part of the chain: its own link holds (when the key can tell) and ties to the record before it.</summary>
    private static async Task<bool> ChainedAsync(DbConnection connection, DbTransaction transaction, TrailDialect dialect, ChainedRecord record, TrailKey? key, CancellationToken cancellationToken)
    {
        if (AuditChain.Holds(key, record) == false)
        {
            return false;
        }

        await using var before = Command(connection, transaction, $"SELECT hash FROM events WHERE id < {dialect.Marker}id ORDER BY id DESC LIMIT 1", dialect, ("id", record.Event.Id));
        var previous = await before.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        // The first record after a prune links to one that is gone; the checkpoint check of audit --check covers that case.
        return previous is string link ? link == record.PreviousHash : true;
    }

    /// <summary>The state of the latest chained outcome of a start's proposal (null while none).</summary>
    private static async Task<string?> OutcomeAsync(DbConnection connection, DbTransaction transaction, TrailDialect dialect, ChainedRecord start, TrailKey? key, CancellationToken cancellationToken)
    {
        var outcomes = new List<ChainedRecord>();
        await using (var query = Command(connection, transaction, $"""
            SELECT {AuditRows.ChainColumns} FROM events o
            WHERE o.kind = {dialect.Marker}kind AND o.proposal_id = {dialect.Marker}proposal AND o.id > {dialect.Marker}start AND o.hash IS NOT NULL
            ORDER BY o.id DESC
            """, dialect, ("kind", AuditKind.Execution.Wire()), ("proposal", start.Event.ProposalId), ("start", start.Event.Id)))
        {
            await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                outcomes.Add(AuditRows.ReadChained(reader));
            }
        }

        foreach (var outcome in outcomes)
        {
            if (await ChainedAsync(connection, transaction, dialect, outcome, key, cancellationToken).ConfigureAwait(false))
            {
                return outcome.Event.Payload is { } json ? AuditJson.Records.Deserialize<OutcomeState>(json)?.State : null;
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
