using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Vgac.Copilot.Watch;

/// <summary>One record of the audit trail. Records are only ever appended.</summary>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    long Cycle,
    string Kind,
    string? JobId,
    int? Tier,
    string? ProposalId,
    string Summary,
    string? Payload)
{
    /// <summary>The cluster the record is about (<c>default</c> for a single-VGAC setup and for records older than clusters).</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;
}

/// <summary>A start that lost its reservation, and the start that holds it.</summary>
/// <param name="Start">The start that was not written.</param>
/// <param name="HolderProposalId">The proposal whose start holds the job and tier.</param>
/// <param name="HolderAt">When that one started.</param>
/// <param name="HolderState">Its outcome so far: null while in flight, <c>executed</c>, or <c>interrupted</c>.</param>
public sealed record ReservationConflict(AuditEvent Start, string HolderProposalId, DateTimeOffset HolderAt, string? HolderState);

/// <summary>How starts reserve their job and tier: for how long, and what is written instead when one loses.</summary>
public sealed record ReservationRules(TimeSpan Window, Func<ReservationConflict, AuditEvent> Refuse);

/// <summary>Kinds of audit records.</summary>
public static class AuditKinds
{
    public const string Observation = "observation";
    public const string Calibration = "calibration";
    public const string Proposal = "proposal";
    public const string Outage = "outage";
    public const string Skipped = "skipped_duplicate";
    public const string Approval = "approval";
    public const string Rejection = "rejection";
    public const string ExecutionStarted = "execution_started";
    public const string Execution = "execution";
    public const string Verification = "verification";
}

/// <summary>
/// The audit trail in SQLite (WAL journal): append-only, one transaction per cycle, so a crash mid-cycle leaves
/// either the whole cycle or none of it, never a half or a duplicate. Besides the append-only triggers, two partial
/// unique indexes make "at most once" a database fact: one <c>execution_started</c> and one decision (approval or
/// rejection) per proposal. Several clusters share one trail: each record carries its cluster, and a store is a view of
/// one cluster (it appends that cluster's records, reads only those, and reserves per cluster, job and tier), or
/// of all of them for reading (<see cref="AllClusters"/>).
/// </summary>
public sealed class AuditStore(string path, string? cluster = AuditStore.DefaultCluster)
{
    /// <summary>The cluster of a single-VGAC setup, and of records written before clusters existed.</summary>
    public const string DefaultCluster = "default";

    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public string Path { get; } = path;

    /// <summary>The cluster this view appends and reads; null for the read-only view of every cluster.</summary>
    public string? Cluster { get; } = cluster;

    /// <summary>The same trail, every cluster's records (read only).</summary>
    public AuditStore AllClusters() => new(Path, cluster: null);

    /// <summary>The same trail, one cluster's records.</summary>
    public AuditStore ForCluster(string name) => new(Path, name);

    /// <summary>Whether the trail exists yet (readers say so instead of creating an empty one).</summary>
    public bool Exists => File.Exists(Path);

    public static string DefaultPath() => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "vgac", "audit.db");

    /// <summary>Opens a connection; the directory, WAL mode and schema are set up once per store, not per call.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_schemaReady)
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
                    await using var setup = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(setup, SchemaSql, cancellationToken).ConfigureAwait(false);
                    await MigrateAsync(setup, cancellationToken).ConfigureAwait(false);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaLock.Release();
            }
        }

        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        // synchronous is per connection; journal_mode = WAL is stored in the file by the schema step.
        await ExecuteAsync(connection, "PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Columns trails written by earlier versions lack: <c>cluster</c> (its default marks every old record as the
    /// <c>default</c> cluster's) and the hash chain's <c>prev_hash</c> and <c>hash</c> (old records have none and are
    /// reported as unchained). Adding a column rewrites no record, so the append-only triggers stand.
    /// </summary>
    private static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await AddColumnAsync(connection, "cluster", $"TEXT NOT NULL DEFAULT '{DefaultCluster}'", cancellationToken).ConfigureAwait(false);
        await AddColumnAsync(connection, "prev_hash", "TEXT", cancellationToken).ConfigureAwait(false);
        await AddColumnAsync(connection, "hash", "TEXT", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS events_cluster_job ON events(cluster, job_id, tier, at);", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a column unless the table has it, checked again under the write lock (another process may be migrating too).</summary>
    private static async Task AddColumnAsync(SqliteConnection connection, string column, string definition, CancellationToken cancellationToken)
    {
        if (await HasColumnAsync(connection, null, column, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await HasColumnAsync(connection, transaction, column, cancellationToken).ConfigureAwait(false))
        {
            await using var alter = connection.CreateCommand();
            alter.Transaction = transaction;
            alter.CommandText = $"ALTER TABLE events ADD COLUMN {column} {definition}";
            await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> HasColumnAsync(SqliteConnection connection, SqliteTransaction? transaction, string column, CancellationToken cancellationToken)
    {
        await using var has = connection.CreateCommand();
        has.Transaction = transaction;
        has.CommandText = "SELECT COUNT(*) FROM pragma_table_info('events') WHERE name = $column";
        has.Parameters.AddWithValue("$column", column);
        return (long)(await has.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L) > 0;
    }

    private const string SchemaSql = """
            PRAGMA journal_mode = WAL;
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
            CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            """;

    /// <summary>Appends a cycle's records in one transaction: all of them, or none.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        await AppendAsync(events, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Appends records in one write transaction (<c>BEGIN IMMEDIATE</c>: one writer at a time, across processes).
    /// With <paramref name="reservations"/>, every <c>execution_started</c> record is a reservation of its job and tier
    /// for the window: if another start for the same job and tier holds it (in flight, done, or interrupted), the
    /// start is not written and the refusal the rules make is written in its place. Check and write happen inside the
    /// same transaction, so two processes can never both reserve.
    /// </summary>
    /// <returns>The starts that lost, each with the start that holds the reservation.</returns>
    public async Task<IReadOnlyList<ReservationConflict>> AppendAsync(IReadOnlyList<AuditEvent> events, ReservationRules? reservations, CancellationToken cancellationToken)
    {
        var cluster = Cluster ?? throw new InvalidOperationException("The every-cluster view of the audit trail is read-only; append through one cluster's.");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO events (at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster, id, prev_hash, hash) "
            + "VALUES ($at, $cycle, $kind, $job, $tier, $proposal, $summary, $payload, $cluster, $id, $prev, $hash)";
        string[] names = ["$at", "$cycle", "$kind", "$job", "$tier", "$proposal", "$summary", "$payload", "$cluster", "$id", "$prev", "$hash"];
        foreach (var name in names)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        // Each record links to the one before it; the write lock (BEGIN IMMEDIATE) makes the tip this transaction's alone.
        var (id, previous) = await AuditChain.TipAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var conflicts = new List<ReservationConflict>();
        foreach (var original in events)
        {
            var e = original;
            if (reservations is not null && e.Kind == AuditKinds.ExecutionStarted
                && await HolderAsync(connection, transaction, cluster, e, reservations.Window, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                var conflict = new ReservationConflict(e, holder.ProposalId, holder.At, holder.State);
                conflicts.Add(conflict);
                e = reservations.Refuse(conflict);
            }

            var hash = AuditChain.Hash(previous, id, e with { Cluster = cluster });
            object?[] values = [Stamp(e.At), e.Cycle, e.Kind, e.JobId, e.Tier, e.ProposalId, e.Summary, e.Payload, cluster, id, previous, hash];
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            (id, previous) = (id + 1, hash);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return conflicts;
    }

    /// <summary>The start that holds the job and tier within the window: one in flight (no outcome yet), done, or interrupted.</summary>
    private static async Task<(string ProposalId, DateTimeOffset At, string? State)?> HolderAsync(
        SqliteConnection connection, SqliteTransaction transaction, string cluster, AuditEvent start, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = """
            SELECT s.proposal_id, s.at,
                   (SELECT json_extract(o.payload, '$.state') FROM events o WHERE o.kind = 'execution' AND o.proposal_id = s.proposal_id ORDER BY o.id DESC LIMIT 1)
            FROM events s
            WHERE s.kind = 'execution_started' AND s.cluster = $cluster AND s.job_id = $job AND s.tier = $tier AND s.at >= $since
            ORDER BY s.id DESC
            """;
        query.Parameters.AddWithValue("$cluster", cluster);
        query.Parameters.AddWithValue("$job", (object?)start.JobId ?? DBNull.Value);
        query.Parameters.AddWithValue("$tier", (object?)start.Tier ?? DBNull.Value);
        query.Parameters.AddWithValue("$since", Stamp(start.At - window));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var state = reader.IsDBNull(2) ? null : reader.GetString(2);

            // A failed or refused attempt holds nothing: its effect did not happen.
            if (state is null or "executed" or "interrupted")
            {
                return (reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), state);
            }
        }

        return null;
    }

    internal static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The latest record of <paramref name="kind"/> at or after <paramref name="since"/> whose payload has <paramref name="jsonPath"/> set.</summary>
    public async Task<AuditEvent?> LatestAsync(string kind, DateTimeOffset since, string jsonPath, CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {Columns} FROM events "
            + "WHERE kind = $kind AND at >= $since AND json_extract(payload, $path) IS NOT NULL" + ClusterFilter(query, " AND ") + " ORDER BY id DESC LIMIT 1";
        query.Parameters.AddWithValue("$kind", kind);
        query.Parameters.AddWithValue("$since", Stamp(since));
        query.Parameters.AddWithValue("$path", jsonPath);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <summary>Whether an exception is SQLite refusing a second "once" record (a unique-index violation).</summary>
    public static bool IsDuplicate(Exception ex) => ex is SqliteException { SqliteErrorCode: 19 };

    /// <param name="since">Only records at or after this time.</param>
    /// <param name="jobId">Only records about this job.</param>
    /// <param name="kind">Only records of this kind.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="proposal">Only records about this proposal.</param>
    /// <param name="kinds">Only records of these kinds (readers that need several, without the bulky observations).</param>
    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(
        DateTimeOffset? since = null, string? jobId = null, string? kind = null, CancellationToken cancellationToken = default, string? proposal = null,
        IReadOnlyList<string>? kinds = null)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();

        // Only the filters given, so SQLite can use the (kind, at), (job_id, tier, at) and proposal_id indexes.
        var where = new List<string>();
        void Filter(string clause, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(clause);
                query.Parameters.AddWithValue(name, value);
            }
        }

        Filter("at >= $since", "$since", since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Filter("job_id = $job", "$job", jobId);
        Filter("kind = $kind", "$kind", kind);
        Filter("proposal_id = $proposal", "$proposal", proposal);
        if (kinds is { Count: > 0 })
        {
            where.Add("kind IN (" + string.Join(", ", kinds.Select((k, i) => $"$kind{i}")) + ")");
            for (var i = 0; i < kinds.Count; i++)
            {
                query.Parameters.AddWithValue($"$kind{i}", kinds[i]);
            }
        }

        if (Cluster is not null)
        {
            Filter("cluster = $cluster", "$cluster", Cluster);
        }

        query.CommandText = $"SELECT {Columns} FROM events"
            + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) + " ORDER BY id";
        var events = new List<AuditEvent>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(Read(reader));
        }

        return events;
    }

    private const string Columns = "id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster";

    /// <summary>The clause that keeps a one-cluster view to its cluster (its parameter added), or nothing for every cluster.</summary>
    private string ClusterFilter(SqliteCommand query, string joiner)
    {
        if (Cluster is null)
        {
            return "";
        }

        query.Parameters.AddWithValue("$cluster", Cluster);
        return joiner + "cluster = $cluster";
    }

    internal static AuditEvent Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetInt64(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8))
    {
        Cluster = reader.GetString(9),
    };

    /// <summary>The clusters the trail has records of, in the order they first appear.</summary>
    public async Task<IReadOnlyList<string>> ClustersAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT cluster FROM events GROUP BY cluster ORDER BY MIN(id)";
        var clusters = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            clusters.Add(reader.GetString(0));
        }

        return clusters;
    }

    /// <summary>The last cycle number recorded (0 when none).</summary>
    public async Task<long> LastCycleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT COALESCE(MAX(cycle), 0) FROM events" + ClusterFilter(query, " WHERE ");
        return (long)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }
}
