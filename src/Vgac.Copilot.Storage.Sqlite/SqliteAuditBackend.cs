using System.Globalization;
using Microsoft.Data.Sqlite;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Sqlite;

/// <summary>
/// The audit trail in one SQLite file (WAL journal), the embedded default. One writer at a time across processes
/// (<c>BEGIN IMMEDIATE</c>); triggers refuse updates and deletes; two partial unique indexes make "one start and
/// one decision per proposal" a database fact. Its schema is versioned (<see cref="SqliteMigrations"/>) and brought up
/// to date the first time the store is opened.
/// </summary>
public sealed partial class SqliteAuditBackend(string path) : IAuditBackend, ILeaseStore, ISessionStore
{
    private static readonly TrailDialect Dialect = new('$', "json_extract(o.payload, '$.state')");

    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public string Provider => "sqlite";

    public string Path { get; } = path;

    public string Location => Path;

    public bool Exists => File.Exists(Path);

    /// <summary>
    /// When the newest record of the trail at <paramref name="path"/> was made (with <paramref name="proposalId"/>:
    /// when that proposal was made), or null when there is none (a demo stopped before its first cycle leaves a file
    /// without records), read without creating or changing anything.
    /// </summary>
    public static DateTimeOffset? NewestRecordAt(string path, string? proposalId = null)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = proposalId is null
                ? "SELECT at FROM events WHERE id >= 1 ORDER BY id DESC LIMIT 1"
                : $"SELECT at FROM events WHERE kind = '{AuditKind.Proposal.Wire()}' AND proposal_id = $proposal ORDER BY id LIMIT 1";
            query.Parameters.AddWithValue("$proposal", (object?)proposalId ?? DBNull.Value);
            return query.ExecuteScalar() is string at
                && DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var when)
                ? when
                : null;
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    /// <summary>Opens a connection; the folder, WAL mode and schema are set up once per backend, not per call.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        // synchronous is per connection; journal_mode = WAL is stored in the file by the first migration's step.
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public async Task<IReadOnlyList<MigrationStep>> MigrateAsync(CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Created 0600 in a 0700 folder of vgac's making before SQLite opens it (its WAL and shared-memory files
            // take the database file's mode): chat sessions and actions are the user's alone.
            try
            {
                Core.IO.PrivatePaths.EnsureFile(Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AuditStoreException($"the audit trail {Path} cannot be created: {ex.Message}", ex);
            }
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
            var applied = await SqliteMigrations.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            return applied;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    public async Task<SchemaStatus> StatusAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return new SchemaStatus(Provider, Location, [], SqliteMigrations.Steps);
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var applied = await SqliteMigrations.AppliedAsync(connection, null, cancellationToken).ConfigureAwait(false);
        return new SchemaStatus(Provider, Location, applied, [.. SqliteMigrations.Steps.Where(s => applied.All(a => a.Version != s.Version))]);
    }

    /// <summary>How long the chain reader waits on a locked file (Microsoft.Data.Sqlite's default command timeout).</summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new AuditStoreException($"the audit trail {Path} could not be opened: {ex.Message}", ex);
        }

        return connection;
    }

    internal static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<AppendResult> AppendAsync(
        string cluster, IReadOnlyList<AuditEvent> events, ReservationRules? reservations, LeaseFence? fence, TrailKey? key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (fence is not null)
        {
            await TrailWriter.CheckFenceAsync(connection, transaction, Dialect, fence, cancellationToken).ConfigureAwait(false);
        }

        var result = await TrailWriter.WriteAsync(connection, transaction, Dialect, cluster, events, reservations,
            await TrailWriter.TipAsync(connection, transaction, Dialect, cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<AuditEvent?> LatestAsync(string? cluster, AuditKind kind, DateTimeOffset since, string payloadField, CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {AuditRows.Columns} FROM events "
            + "WHERE kind = $kind AND at >= $since AND json_extract(payload, $path) IS NOT NULL" + (cluster is null ? "" : " AND cluster = $cluster") + " ORDER BY id DESC LIMIT 1";
        query.Parameters.AddWithValue("$kind", kind.Wire());
        query.Parameters.AddWithValue("$since", AuditStore.Stamp(since));
        query.Parameters.AddWithValue("$path", "$." + payloadField);
        if (cluster is not null)
        {
            query.Parameters.AddWithValue("$cluster", cluster);
        }

        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? AuditRows.Read(reader) : null;
    }

    public bool IsDuplicate(Exception ex) => ex is SqliteException { SqliteErrorCode: 19 };

    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(string? cluster, AuditQuery filter, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        return await AuditQuerySql.RunAsync(query, filter, cluster, Dialect.Marker, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ClustersAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT cluster FROM events WHERE cluster <> $trail GROUP BY cluster ORDER BY MIN(id)";
        query.Parameters.AddWithValue("$trail", AuditStore.TrailScope);
        return await AuditRows.ReadAllAsync(query, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> LastCycleAsync(string? cluster, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT COALESCE(MAX(cycle), 0) FROM events" + (cluster is null ? "" : " WHERE cluster = $cluster");
        if (cluster is not null)
        {
            query.Parameters.AddWithValue("$cluster", cluster);
        }

        return (long)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    public async Task<(bool Granted, Lease Lease)> LeadAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        Lease? current = null;
        await using (var query = connection.CreateCommand())
        {
            query.Transaction = transaction;
            query.CommandText = "SELECT holder, token, expires_at FROM leases WHERE name = $name";
            query.Parameters.AddWithValue("$name", name);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                current = new Lease(name, reader.GetString(0), reader.GetInt64(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture));
            }
        }

        if (Lease.Next(current, current is null || current.ExpiresAt <= now, holder) is not { } token)
        {
            return (false, current!);
        }

        var lease = new Lease(name, holder, token, now + ttl);
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = "INSERT INTO leases (name, holder, token, expires_at) VALUES ($name, $holder, $token, $expires) "
                + "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at";
            upsert.Parameters.AddWithValue("$name", name);
            upsert.Parameters.AddWithValue("$holder", holder);
            upsert.Parameters.AddWithValue("$token", lease.Token);
            upsert.Parameters.AddWithValue("$expires", AuditStore.Stamp(lease.ExpiresAt));
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (true, lease);
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var release = connection.CreateCommand();
        release.CommandText = "UPDATE leases SET expires_at = $past WHERE name = $name AND holder = $holder";
        release.Parameters.AddWithValue("$past", AuditStore.Stamp(DateTimeOffset.UnixEpoch));
        release.Parameters.AddWithValue("$name", name);
        release.Parameters.AddWithValue("$holder", holder);
        await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveSessionAsync(string? owner, string name, DateTimeOffset savedAt, string document, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var save = connection.CreateCommand();
        save.CommandText = "INSERT INTO chat_sessions (owner, name, saved_at, document) VALUES ($owner, $name, $at, $document) "
            + "ON CONFLICT (owner, name) DO UPDATE SET saved_at = excluded.saved_at, document = excluded.document";
        save.Parameters.AddWithValue("$owner", owner ?? Environment.UserName);
        save.Parameters.AddWithValue("$name", name);
        save.Parameters.AddWithValue("$at", AuditStore.Stamp(savedAt));
        save.Parameters.AddWithValue("$document", document);
        await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> LoadSessionAsync(string? owner, string name, CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var load = connection.CreateCommand();
        load.CommandText = "SELECT document FROM chat_sessions WHERE owner = $owner AND name = $name";
        load.Parameters.AddWithValue("$owner", owner ?? Environment.UserName);
        load.Parameters.AddWithValue("$name", name);
        return await load.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<IReadOnlyList<string>> SessionsAsync(string? owner, CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var list = connection.CreateCommand();
        list.CommandText = "SELECT document FROM chat_sessions WHERE owner = $owner ORDER BY saved_at DESC";
        list.Parameters.AddWithValue("$owner", owner ?? Environment.UserName);
        return await AuditRows.ReadAllAsync(list, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _schemaLock.Dispose();
}
