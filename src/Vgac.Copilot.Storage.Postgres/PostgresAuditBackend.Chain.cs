using System.Runtime.CompilerServices;
using Npgsql;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Postgres;

/// <summary>The chain's reads and the prune: what <c>audit --check</c> walks and what retention removes.</summary>
public sealed partial class PostgresAuditBackend
{
    public async IAsyncEnumerable<ChainedRecord> ChainAsync(long fromId, [EnumeratorCancellation] CancellationToken cancellationToken, long throughId = long.MaxValue)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Range(connection, AuditRows.ChainColumns, fromId, throughId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return AuditRows.ReadChained(reader);
        }
    }

    /// <summary>
    /// Each row's columns as text straight into the batch, without making a record (whose timestamp would be parsed
    /// and formatted again) first.
    /// </summary>
    public async IAsyncEnumerable<ChainRows> ChainRowsAsync(long fromId, [EnumeratorCancellation] CancellationToken cancellationToken, long throughId = long.MaxValue)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Range(connection, ChainText, fromId, throughId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new ChainRows();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.BeginRow(reader.GetInt64(0));
            for (var column = 1; column <= ChainRows.Columns; column++)
            {
                rows.Add(reader.IsDBNull(column) ? null : reader.GetString(column));
            }

            if (rows.Full)
            {
                yield return rows;
                rows = new ChainRows();
            }
        }

        if (rows.Count > 0)
        {
            yield return rows;
        }
        else
        {
            rows.Dispose();
        }
    }

    /// <summary>The trail's records from one id through another, in order: the query both chain reads run.</summary>
    private static NpgsqlCommand Range(NpgsqlConnection connection, string columns, long fromId, long throughId)
    {
        var query = new NpgsqlCommand($"SELECT {columns} FROM events WHERE id >= @from AND id <= @through ORDER BY id", connection);
        query.Parameters.AddWithValue("from", fromId);
        query.Parameters.AddWithValue("through", throughId);
        return query;
    }

    /// <summary>The chain's columns as text, after the id as a number.</summary>
    private const string ChainText = "id, id::text AS id_text, at, cycle::text AS cycle_text, kind, job_id, tier::text AS tier_text, proposal_id, summary, payload, cluster, prev_hash, hash";

    public async Task<(long First, long Last)?> ChainBoundsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand("SELECT MIN(id), MAX(id) FROM events WHERE id >= 1", connection);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public async Task<long> PruneAsync(long throughId, Func<ChainedRecord, AuditEvent> checkpoint, TrailKey? key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AppendLock})", cancellationToken).ConfigureAwait(false);
        ChainedRecord? last;
        await using (var query = new NpgsqlCommand($"SELECT {AuditRows.ChainColumns} FROM events WHERE id <= @through ORDER BY id DESC LIMIT 1", connection, transaction))
        {
            query.Parameters.AddWithValue("through", throughId);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            last = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? AuditRows.ReadChained(reader) : null;
        }

        if (last is null)
        {
            return 0;
        }

        var tip = await TrailWriter.TipAsync(connection, transaction, Dialect, cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, transaction, "SET LOCAL vgac.prune = 'on'", cancellationToken).ConfigureAwait(false);
            await using var delete = new NpgsqlCommand("DELETE FROM events WHERE id <= @through", connection, transaction);
            delete.Parameters.AddWithValue("through", throughId);
            var removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "SET LOCAL vgac.prune = 'off'", cancellationToken).ConfigureAwait(false);
            await TrailWriter.WriteAsync(connection, transaction, Dialect, AuditStore.TrailScope, [checkpoint(last)], null, tip, key, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return removed;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new AuditStoreException(
                $"this role may not remove records from the trail at {Location} (the application's role only adds and reads): prune with the owner's connection string.", ex);
        }
    }
}
