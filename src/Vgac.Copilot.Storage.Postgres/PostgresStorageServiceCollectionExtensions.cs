using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>Makes <c>Storage:Provider=postgres</c> available: the trail in a database a team shares.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services) =>
        services.AddStorageProvider(StorageOptions.Postgres, options => new PostgresAuditBackend(options.ConnectionString!));
}
