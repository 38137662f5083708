using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Watch;

public static class WatchServiceCollectionExtensions
{
    /// <summary>
    /// Registers the watch loop (<c>Watch</c> section): its cycle, its schedule and its leadership among replicas, over
    /// the actions' audited path (<see cref="ActionsServiceCollectionExtensions.AddVgacActions"/>). Needs the plugins
    /// registered. Everything is lazy: commands that do not watch pay nothing for it.
    /// </summary>
    public static IServiceCollection AddVgacWatch(this IServiceCollection services)
    {
        services.AddWatchOptions();
        services.TryAddSingleton(sp => new WatchLeadership(
            sp.GetRequiredService<ILeaseStore>(), sp.GetRequiredService<LeaseFenceHolder>(), AuditServiceCollectionExtensions.ClusterOf(sp),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.LeaseFor(sp.GetRequiredService<IOptions<WatchOptions>>().Value.IntervalSeconds), TimeProvider.System,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WatchLeadership>>()));
        services.AddVgacActions();
        services.TryAddSingleton<WatchCycle>();
        services.TryAddSingleton<WatchLoop>();
        return services;
    }
}
