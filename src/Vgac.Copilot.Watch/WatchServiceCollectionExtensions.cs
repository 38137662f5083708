using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Watch;

public static class WatchServiceCollectionExtensions
{
    /// <summary>Registers the watch cycle and the audit store (<c>Watch</c> section). Needs the plugins registered.</summary>
    public static IServiceCollection AddVgacWatch(this IServiceCollection services)
    {
        services.AddOptions<WatchOptions>().BindConfiguration(WatchOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WatchOptions>, WatchOptionsValidator>());
        services.TryAddSingleton(sp => new AuditStore(sp.GetRequiredService<IOptions<WatchOptions>>().Value.AuditPath is { Length: > 0 } path ? path : AuditStore.DefaultPath()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WatchOptions>>().Value);
        services.TryAddTransient<WatchCycle>();
        return services;
    }
}
