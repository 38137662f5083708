using System.Text.RegularExpressions;
using Npgsql;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Postgres;

/// <summary>
/// The audit trail in PostgreSQL, for a team: several watch replicas, MCP servers and people on one trail. Appends
/// take a transaction-scoped advisory lock (one writer at a time across every process, and no table privilege beyond
/// INSERT needed), so the hash chain and the reservations hold across machines as they do in one SQLite file.
/// Timestamps are stored as the same ISO-8601 text the hashes cover, so a record reads back exactly as it was hashed.
/// </summary>
public sealed partial class PostgresAuditBackend : IAuditBackend, ILeaseStore, ISessionStore
{
    private static readonly TrailDialect Dialect = new('@', "o.payload::jsonb ->> 'state'");

    /// <summary>Advisory lock keys: the trail's writer, and the schema's migrator.</summary>
    private const long AppendLock = 0x7647_4143_0001, MigrateLock = 0x7647_4143_0002;

    private readonly NpgsqlDataSource _source;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public PostgresAuditBackend(string connectionString)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the key Npgsql did not understand, never the value.
            throw new AuditStoreException($"the PostgreSQL connection string (VGAC_STORAGE_CONNECTION) is not valid: {ex.Message.Split(" (Parameter")[0]}", ex);
        }

        Location = $"postgres://{settings.Host ?? "localhost"}:{settings.Port}/{settings.Database ?? settings.Username ?? ""}";
        _source = new NpgsqlSlimDataSourceBuilder(connectionString).Build();
    }

    public string Provider => "postgres";

    public string Location { get; }

    /// <summary>A shared database always "exists"; an empty one is given its schema on first use.</summary>
    public bool Exists => true;

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new AuditStoreException($"the PostgreSQL store at {Location} could not be reached: {Describe(ex)}", ex);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_schemaReady)
                {
                    // Every open, not only one that migrates: a schema a newer vgac wrote is not used at all.
                    var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
                    SchemaText.RefuseNewer(status.Applied, PostgresMigrations.All.Length, "the PostgreSQL store");
                    if (status.Pending.Count > 0)
                    {
                        await MigrateLockedAsync(cancellationToken).ConfigureAwait(false);
                    }

                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaLock.Release();
            }
        }

        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MigrationStep>> MigrateAsync(CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var applied = await MigrateLockedAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            return applied;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task<IReadOnlyList<MigrationStep>> MigrateLockedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrateLock})", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                "CREATE TABLE IF NOT EXISTS vgac_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                cancellationToken).ConfigureAwait(false);
            var applied = await AppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            SchemaText.RefuseNewer(applied, PostgresMigrations.All.Length, "the PostgreSQL store");
            var done = new List<MigrationStep>();
            foreach (var step in PostgresMigrations.All.Where(s => applied.All(a => a.Version != s.Version)))
            {
                await ExecuteAsync(connection, transaction, step.Sql, cancellationToken).ConfigureAwait(false);
                await using var record = new NpgsqlCommand("INSERT INTO vgac_schema_migrations (version, name) VALUES (@version, @name)", connection, transaction);
                record.Parameters.AddWithValue("version", step.Version);
                record.Parameters.AddWithValue("name", step.Name);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                done.Add(new MigrationStep(step.Version, step.Name));
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return done;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
            throw new AuditStoreException(
                $"the PostgreSQL store at {Location} is at schema version {status.Version} and this vgac needs {PostgresMigrations.All.Length}, "
                + "but this role may not change the schema: run 'vgac storage migrate' with the owner's connection string.", ex);
        }
    }

    /// <summary>What <see cref="GrantAsync"/> gives the application's role, in words.</summary>
    public static string GrantsInWords => PostgresMigrations.GrantsInWords;

    /// <summary>Grants <paramref name="role"/> what the application needs and no more (<see cref="GrantsInWords"/>).</summary>
    public async Task GrantAsync(string role, CancellationToken cancellationToken)
    {
        if (!RoleName().IsMatch(role))
        {
            throw new AuditStoreException($"--grant-to must be a plain PostgreSQL role name (lower-case letters, digits, _), got '{Vgac.Copilot.Core.Text.UntrustedText.Clean(role, 64)}'.");
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null, PostgresMigrations.Grants(role), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new AuditStoreException($"could not grant '{role}' its rights on {Location}: {ex.MessageText}", ex);
        }
    }

    public async Task<SchemaStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var applied = await AppliedAsync(connection, null, cancellationToken).ConfigureAwait(false);
        return new SchemaStatus(Provider, Location, applied,
            [.. PostgresMigrations.All.Where(s => applied.All(a => a.Version != s.Version)).Select(s => new MigrationStep(s.Version, s.Name))]);
    }

    private static async Task<IReadOnlyList<MigrationStep>> AppliedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('vgac_schema_migrations') IS NOT NULL", connection, transaction);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return [];
        }

        await using var query = new NpgsqlCommand("SELECT version, name FROM vgac_schema_migrations ORDER BY version", connection, transaction);
        var applied = new List<MigrationStep>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied.Add(new MigrationStep(reader.GetInt32(0), reader.GetString(1)));
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<AppendResult> AppendAsync(
        string cluster, IReadOnlyList<AuditEvent> events, ReservationRules? reservations, LeaseFence? fence, TrailKey? key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AppendLock})", cancellationToken).ConfigureAwait(false);
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand($"SELECT {AuditRows.Columns} FROM events "
            + "WHERE kind = @kind AND at >= @since AND jsonb_typeof(payload::jsonb -> @field) <> 'null'"
            + (cluster is null ? "" : " AND cluster = @cluster") + " ORDER BY id DESC LIMIT 1", connection);
        query.Parameters.AddWithValue("kind", kind.Wire());
        query.Parameters.AddWithValue("since", AuditStore.Stamp(since));
        query.Parameters.AddWithValue("field", payloadField);
        if (cluster is not null)
        {
            query.Parameters.AddWithValue("cluster", cluster);
        }

        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? AuditRows.Read(reader) : null;
    }

    public bool IsDuplicate(Exception ex) => ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(string? cluster, AuditQuery filter, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand { Connection = connection };
        return await AuditQuerySql.RunAsync(query, filter, cluster, Dialect.Marker, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ClustersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand("SELECT cluster FROM events WHERE cluster <> @trail GROUP BY cluster ORDER BY MIN(id)", connection);
        query.Parameters.AddWithValue("trail", AuditStore.TrailScope);
        return await AuditRows.ReadAllAsync(query, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> LastCycleAsync(string? cluster, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand("SELECT COALESCE(MAX(cycle), 0) FROM events" + (cluster is null ? "" : " WHERE cluster = @cluster"), connection);
        if (cluster is not null)
        {
            query.Parameters.AddWithValue("cluster", cluster);
        }

        return (long)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    /// <summary>
    /// Through <c>vgac_lead</c>: the database applies <see cref="Lease.Next"/>'s rule under a per-name lock, by its own
    /// clock, and caps the expiry at an hour, so no role can plant a lease that outlives the watch.
    /// </summary>
    public async Task<(bool Granted, Lease Lease)> LeadAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var lead = new NpgsqlCommand("SELECT granted, holder, token, expires_at FROM vgac_lead(@name, @holder, @ttl)", connection);
        lead.Parameters.AddWithValue("name", name);
        lead.Parameters.AddWithValue("holder", holder);
        lead.Parameters.AddWithValue("ttl", ttl.TotalSeconds);
        await using var reader = await lead.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0), new Lease(name, reader.GetString(1), reader.GetInt64(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var release = new NpgsqlCommand("SELECT vgac_release(@name, @holder)", connection);
        release.Parameters.AddWithValue("name", name);
        release.Parameters.AddWithValue("holder", holder);
        await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sessions are the database role's own (row-level security); <paramref name="owner"/> null is the role itself.</summary>
    public async Task SaveSessionAsync(string? owner, string name, DateTimeOffset savedAt, string document, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var save = new NpgsqlCommand("INSERT INTO chat_sessions (owner, name, saved_at, document) VALUES (COALESCE(@owner, current_user), @name, @at, @document) "
            + "ON CONFLICT (db_role, owner, name) DO UPDATE SET saved_at = excluded.saved_at, document = excluded.document", connection);
        save.Parameters.Add(new NpgsqlParameter<string?>("owner", owner));
        save.Parameters.AddWithValue("name", name);
        save.Parameters.AddWithValue("at", savedAt.ToUniversalTime());
        save.Parameters.AddWithValue("document", document);
        await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> LoadSessionAsync(string? owner, string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var load = new NpgsqlCommand("SELECT document FROM chat_sessions WHERE db_role = current_user AND owner = COALESCE(@owner, current_user) AND name = @name", connection);
        load.Parameters.Add(new NpgsqlParameter<string?>("owner", owner));
        load.Parameters.AddWithValue("name", name);
        return await load.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<IReadOnlyList<string>> SessionsAsync(string? owner, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var list = new NpgsqlCommand("SELECT document FROM chat_sessions WHERE db_role = current_user AND owner = COALESCE(@owner, current_user) ORDER BY saved_at DESC", connection);
        list.Parameters.Add(new NpgsqlParameter<string?>("owner", owner));
        return await AuditRows.ReadAllAsync(list, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(Exception ex) => ex switch
    {
        PostgresException pg => pg.MessageText,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } => socket.Message,
        _ => ex.Message,
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _schemaLock.Dispose();
    }

    public void Dispose()
    {
        _source.Dispose();
        _schemaLock.Dispose();
    }
}
