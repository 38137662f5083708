using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>Makes <c>Storage:Provider=sqlite</c> (the default) available: the trail in one local file.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditBackendFactory, SqliteBackendFactory>());
        return services;
    }

    private sealed class SqliteBackendFactory : IAuditBackendFactory
    {
        public string Provider => StorageOptions.Sqlite;

        public IAuditBackend Create(StorageOptions options) => new SqliteAuditBackend(options.SqlitePath ?? StorageOptions.DefaultSqlitePath());
    }
}
