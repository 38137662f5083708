using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The setting that names the SQLite trail's file (kept under <c>Watch</c>, where it has always been).</summary>
    public const string SqlitePathKey = "Watch:AuditPath";

    /// <summary>
    /// Registers the audit trail (<c>Storage</c> section): the backend of the configured provider (each provider's
    /// project registers its <see cref="IAuditBackendFactory"/>), this cluster's view of the trail and its retention.
    /// Everything is lazy: a command that never reads the trail never opens it.
    /// </summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) => options.SqlitePath = configuration[SqlitePathKey] is { Length: > 0 } path ? path : null)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton<IAuditBackend>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return sp.GetServices<IAuditBackendFactory>().FirstOrDefault(f => f.Provider == storage.Provider)?.Create(storage)
                ?? throw new AuditStoreException($"this vgac was built without the '{storage.Provider}' storage provider.");
        });

        // The same store keeps the watch replicas' leases and the saved chat sessions.
        services.TryAddSingleton(sp => sp.GetRequiredService<IAuditBackend>() as ILeaseStore
            ?? throw new AuditStoreException($"the '{sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider}' store keeps no watch leases."));
        services.TryAddSingleton(sp => sp.GetRequiredService<IAuditBackend>() as ISessionStore
            ?? throw new AuditStoreException($"the '{sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider}' store keeps no chat sessions."));

        // One trail for every cluster; this provider's view of it is its own cluster's.
        services.TryAddSingleton<LeaseFenceHolder>();
        services.TryAddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var backend = sp.GetRequiredService<IAuditBackend>();
            return new AuditStore(backend, ClusterOf(sp), sp.GetRequiredService<LeaseFenceHolder>(),
                Core.Guards.GuardNotice.Of(sp.GetRequiredService<IOptions<Core.Guards.GuardOptions>>().Value),
                anchor: TrailAnchor.For(storage.AnchorDirectory, backend.Location), keys: new Lazy<TrailKey?>(() => TrailKey.Resolve(storage)));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AuditRetention(sp.GetRequiredService<AuditStore>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Makes a storage provider available (<c>Storage:Provider</c>); nothing is opened until the trail is first used.</summary>
    /// <param name="services">The services.</param>
    /// <param name="provider">Its name in <c>Storage:Provider</c>.</param>
    /// <param name="create">Opens its backend with the configured settings.</param>
    public static IServiceCollection AddStorageProvider(this IServiceCollection services, string provider, Func<StorageOptions, IAuditBackend> create)
    {
        services.AddSingleton<IAuditBackendFactory>(new BackendFactory(provider, create));
        return services;
    }

    private sealed class BackendFactory(string provider, Func<StorageOptions, IAuditBackend> create) : IAuditBackendFactory
    {
        public string Provider => provider;

        public IAuditBackend Create(StorageOptions options) => create(options);
    }

    /// <summary>The cluster this process's view of the trail is (<c>Cluster:Name</c>).</summary>
    public static string ClusterOf(IServiceProvider services) =>
        services.GetService<IConfiguration>()?["Cluster:Name"] is { Length: > 0 } cluster ? cluster : AuditStore.DefaultCluster;
}
