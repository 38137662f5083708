using System.Globalization;
using Microsoft.Data.Sqlite;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Storage.Sqlite;

/// <summary>
/// The SQLite trail's schema, as numbered migrations applied once each, in order, inside one write transaction
/// (SQLite's schema changes are transactional, so a crash leaves the schema as it was). A trail from before
/// versioning has the tables but no <c>schema_migrations</c>: every step checks what is there, so such a trail is
/// brought up to date in place and its existing records are untouched.
/// </summary>
internal static class SqliteMigrations
{
    internal const string DeleteTrigger =
        "CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

    private sealed record Step(int Version, string Name, Func<SqliteConnection, SqliteTransaction, CancellationToken, Task> Apply);

    private static readonly Step[] All =
    [
        new(1, "audit trail: events, append-only triggers, once-per-proposal indexes", (c, t, ct) => SqliteAuditBackend.ExecuteAsync(c, t, $"""
            CREATE TABLE IF NOT EXISTS events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                cycle INTEGER NOT NULL,
                kind TEXT NOT NULL,
                job_id TEXT,
                tier INTEGER,
                proposal_id TEXT,
                summary TEXT NOT NULL,
                payload TEXT);
            CREATE INDEX IF NOT EXISTS events_job ON events(job_id, tier, at);
            CREATE INDEX IF NOT EXISTS events_proposal ON events(proposal_id);
            CREATE INDEX IF NOT EXISTS events_kind_at ON events(kind, at);
            CREATE INDEX IF NOT EXISTS events_cycle ON events(cycle);
            CREATE UNIQUE INDEX IF NOT EXISTS events_started_once ON events(proposal_id) WHERE kind = 'execution_started';
            CREATE UNIQUE INDEX IF NOT EXISTS events_decided_once ON events(proposal_id) WHERE kind IN ('approval', 'rejection');
            CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            {DeleteTrigger}
            """, ct)),
        new(2, "clusters: a cluster column (older records read as 'default')", async (c, t, ct) =>
        {
            await AddColumnAsync(c, t, "cluster", $"TEXT NOT NULL DEFAULT '{AuditStore.DefaultCluster}'", ct).ConfigureAwait(false);
            await SqliteAuditBackend.ExecuteAsync(c, t, "CREATE INDEX IF NOT EXISTS events_cluster_job ON events(cluster, job_id, tier, at);", ct).ConfigureAwait(false);
        }),
        new(3, "hash chain: prev_hash and hash (older records stay unchained)", async (c, t, ct) =>
        {
            await AddColumnAsync(c, t, "prev_hash", "TEXT", ct).ConfigureAwait(false);
            await AddColumnAsync(c, t, "hash", "TEXT", ct).ConfigureAwait(false);
        }),
        new(4, "watch leases: one leader per cluster, with fencing tokens", (c, t, ct) => SqliteAuditBackend.ExecuteAsync(c, t, """
            CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_at TEXT NOT NULL);
            """, ct)),
        new(5, "chat sessions: saved REPL sessions, one per owner and name", (c, t, ct) => SqliteAuditBackend.ExecuteAsync(c, t, """
            CREATE TABLE IF NOT EXISTS chat_sessions (owner TEXT NOT NULL, name TEXT NOT NULL, saved_at TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (owner, name));
            """, ct)),
    ];

    public static IReadOnlyList<MigrationStep> Steps { get; } = [.. All.Select(s => new MigrationStep(s.Version, s.Name))];

    /// <summary>Applies what is missing; returns what it applied (nothing when the trail is up to date).</summary>
    public static async Task<IReadOnlyList<MigrationStep>> ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // Most opens find the schema current: read without the write lock first.
        var seen = await AppliedAsync(connection, null, cancellationToken).ConfigureAwait(false);
        SchemaText.RefuseNewer(seen, All.Length, "the audit trail");
        if (seen.Count == All.Length)
        {
            return [];
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await SqliteAuditBackend.ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);", cancellationToken).ConfigureAwait(false);

        // Checked again under the write lock: another process may have migrated meanwhile.
        var applied = await AppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        SchemaText.RefuseNewer(applied, All.Length, "the audit trail");
        var done = new List<MigrationStep>();
        foreach (var step in All.Where(s => applied.All(a => a.Version != s.Version)))
        {
            await step.Apply(connection, transaction, cancellationToken).ConfigureAwait(false);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at)";
            record.Parameters.AddWithValue("$version", step.Version);
            record.Parameters.AddWithValue("$name", step.Name);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            done.Add(new MigrationStep(step.Version, step.Name));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return done;
    }

    public static async Task<IReadOnlyList<MigrationStep>> AppliedAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
        if (await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }

        query.CommandText = "SELECT version, name FROM schema_migrations ORDER BY version";
        var applied = new List<MigrationStep>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied.Add(new MigrationStep(reader.GetInt32(0), reader.GetString(1)));
        }

        return applied;
    }

    /// <summary>Adds a column unless the table has it (a trail from before versioning may).</summary>
    private static async Task AddColumnAsync(SqliteConnection connection, SqliteTransaction transaction, string column, string definition, CancellationToken cancellationToken)
    {
        await using var has = connection.CreateCommand();
        has.Transaction = transaction;
        has.CommandText = "SELECT COUNT(*) FROM pragma_table_info('events') WHERE name = $column";
        has.Parameters.AddWithValue("$column", column);
        if ((long)(await has.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) == 0)
        {
            await SqliteAuditBackend.ExecuteAsync(connection, transaction, $"ALTER TABLE events ADD COLUMN {column} {definition}", cancellationToken).ConfigureAwait(false);
        }
    }
}
