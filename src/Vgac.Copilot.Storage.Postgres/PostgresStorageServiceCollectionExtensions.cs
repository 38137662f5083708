using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>Makes <c>Storage:Provider = postgres</c> available. Nothing connects until the trail is first used.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditBackendFactory, PostgresBackendFactory>());
        return services;
    }

    private sealed class PostgresBackendFactory : IAuditBackendFactory
    {
        public string Provider => StorageOptions.Postgres;

        public IAuditBackend Create(StorageOptions options) => new PostgresAuditBackend(options.ConnectionString!);
    }
}
