using Microsoft.Data.Sqlite;
using Npgsql;
using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>
/// A fresh trail in either provider, so one test body holds both to the same promises: an SQLite file in a
/// temporary folder, or a new database on the throw-away PostgreSQL server (the test is skipped, saying why, when
/// PostgreSQL is not installed).
/// </summary>
internal static class Stores
{
    /// <summary>The reservation rule the action runner uses, by wire name: a start in flight, executed or interrupted holds its job and tier.</summary>
    public static bool Holds(string? outcome) => outcome is null or "executed" or "interrupted";

    public static TheoryData<string> Providers => new(StorageOptions.Sqlite, StorageOptions.Postgres);

    public static async Task<AuditStore> NewAsync(string provider, string cluster = AuditStore.DefaultCluster) =>
        new(Backend(provider, await LocationAsync(provider)), cluster);

    /// <summary>Where a new trail is: a file path, or a new database's connection string.</summary>
    public static async Task<string> LocationAsync(string provider) => provider == StorageOptions.Sqlite
        ? Path.Combine(TestPaths.NewFolder("store-"), "audit.db")
        : await (await ServerAsync()).CreateDatabaseAsync("vgac_store");

    /// <summary>Another backend (another process, as far as the store can tell) on the same trail.</summary>
    public static IAuditBackend Backend(string provider, string location) =>
        provider == StorageOptions.Sqlite ? new SqliteAuditBackend(location) : new PostgresAuditBackend(location);

    public static async Task<PostgresServer> ServerAsync()
    {
        var (server, unavailable) = await PostgresServer.SharedAsync();
        if (server is null)
        {
            Assert.Skip(unavailable!);
        }

        return server!;
    }

    /// <summary>Runs SQL behind the application's back, as the database's owner would (triggers still in force unless the SQL lifts them).</summary>
    public static async Task RawAsync(AuditStore store, string sql)
    {
        switch (store.Backend)
        {
            case SqliteAuditBackend sqlite:
                await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlite.Path, Pooling = false }.ToString()))
                {
                    await connection.OpenAsync();
                    await using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    await command.ExecuteNonQueryAsync();
                }

                break;
            case PostgresAuditBackend:
                var server = await ServerAsync();
                var database = store.Path[(store.Path.LastIndexOf('/') + 1)..];
                await using (var source = NpgsqlDataSource.Create(server.ConnectionString(database, PostgresServer.Owner)))
                {
                    await using var command = source.CreateCommand(sql);
                    await command.ExecuteNonQueryAsync();
                }

                break;
            default:
                throw new ArgumentException("unknown backend", nameof(store));
        }
    }

    /// <summary>SQL that lifts the append-only triggers first (what someone with the database files or the owner role could do).</summary>
    public static string WithoutTriggers(AuditStore store, string sql) => store.Backend is SqliteAuditBackend
        ? "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete; " + sql
        : "ALTER TABLE events DISABLE TRIGGER USER; " + sql;
}
