using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>Makes <c>Storage:Provider=sqlite</c> (the default) available: the trail in one local file.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services) =>
        services.AddStorageProvider(StorageOptions.Sqlite, options => new SqliteAuditBackend(options.SqlitePath ?? StorageOptions.DefaultSqlitePath()));
}
