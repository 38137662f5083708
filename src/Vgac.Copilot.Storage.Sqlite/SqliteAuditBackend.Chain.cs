using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Sqlite;

/// <summary>The chain's reads and the prune: what <c>audit --check</c> walks and what retention removes.</summary>
public sealed partial class SqliteAuditBackend
{
    public async IAsyncEnumerable<ChainedRecord> ChainAsync(long fromId, [EnumeratorCancellation] CancellationToken cancellationToken, long throughId = long.MaxValue)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {AuditRows.ChainColumns} FROM events WHERE id >= $from AND id <= $through ORDER BY id";
        query.Parameters.AddWithValue("$from", fromId);
        query.Parameters.AddWithValue("$through", throughId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return AuditRows.ReadChained(reader);
        }
    }

    /// <summary>
    /// Reads on a read-only connection of its own, opened without SQLite's per-call locking (only this reader uses it),
    /// and copies each column's stored bytes into the batch (<see cref="SqliteChainReader"/>): no record, no string per
    /// column. The walk of a year's trail reads millions of rows.
    /// </summary>
    public async IAsyncEnumerable<ChainRows> ChainRowsAsync(long fromId, [EnumeratorCancellation] CancellationToken cancellationToken, long throughId = long.MaxValue)
    {
        if (!_schemaReady)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        var opened = SQLitePCL.raw.sqlite3_open_v2(Path, out var database, SQLitePCL.raw.SQLITE_OPEN_READONLY | SQLitePCL.raw.SQLITE_OPEN_NOMUTEX, null);
        using var _ = database;
        Check(opened, database);
        Check(SQLitePCL.raw.sqlite3_busy_timeout(database, BusyTimeoutMilliseconds), database);
        var prepared = SQLitePCL.raw.sqlite3_prepare_v2(database, $"SELECT {AuditRows.ChainColumns} FROM events WHERE id >= ?1 AND id <= ?2 ORDER BY id", out var statement);
        using var __ = statement;
        Check(prepared, database);
        Check(SQLitePCL.raw.sqlite3_bind_int64(statement, 1, fromId), database);
        Check(SQLitePCL.raw.sqlite3_bind_int64(statement, 2, throughId), database);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = SqliteChainReader.ReadBatch(statement, _ => Failed(database));
            if (rows.Count == 0)
            {
                rows.Dispose();
                yield break;
            }

            var last = !rows.Full;
            yield return rows;
            if (last)
            {
                yield break;
            }
        }

        static void Check(int code, SQLitePCL.sqlite3 database)
        {
            if (code != SQLitePCL.raw.SQLITE_OK)
            {
                throw Failed(database);
            }
        }

        static AuditStoreException Failed(SQLitePCL.sqlite3 database) =>
            new($"the audit trail could not be read: {SQLitePCL.raw.sqlite3_errmsg(database).utf8_to_string()}");
    }

    public async Task<(long First, long Last)?> ChainBoundsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        // One aggregate per query: SQLite answers MIN or MAX of the key from the index, but both at once by a scan.
        query.CommandText = "SELECT (SELECT MIN(id) FROM events WHERE id >= 1), (SELECT MAX(id) FROM events WHERE id >= 1)";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public async Task<long> PruneAsync(long throughId, Func<ChainedRecord, AuditEvent> checkpoint, TrailKey? key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await LastThroughAsync(connection, transaction, throughId, cancellationToken).ConfigureAwait(false) is not { } last)
        {
            return 0;
        }

        // The checkpoint follows the tip as it was, so it links on even when nothing is left after the removal.
        var tip = await TrailWriter.TipAsync(connection, transaction, Dialect, cancellationToken).ConfigureAwait(false);

        // The delete trigger stands for everyone else; this transaction lifts it, removes the covered records, puts it
        // back and writes the checkpoint, all or nothing (SQLite's schema changes are transactional).
        await ExecuteAsync(connection, transaction, "DROP TRIGGER events_append_only_delete;", cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM events WHERE id <= $through";
        delete.Parameters.AddWithValue("$through", throughId);
        var removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, SqliteMigrations.DeleteTrigger, cancellationToken).ConfigureAwait(false);
        await TrailWriter.WriteAsync(connection, transaction, Dialect, AuditStore.TrailScope, [checkpoint(last)], null, tip, key, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>The last record at or before <paramref name="throughId"/>, with its chain fields.</summary>
    private static async Task<ChainedRecord?> LastThroughAsync(SqliteConnection connection, SqliteTransaction transaction, long throughId, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = $"SELECT {AuditRows.ChainColumns} FROM events WHERE id <= $through ORDER BY id DESC LIMIT 1";
        query.Parameters.AddWithValue("$through", throughId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? AuditRows.ReadChained(reader)
            : null;
    }
}
