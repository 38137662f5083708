using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Plugins.Catalog;

namespace Vgac.Copilot.Plugins;

public static class PluginServiceCollectionExtensions
{
    /// <summary>
    /// Registers the four plugins and the <see cref="ToolCatalog"/>. Needs the client and the core
    /// (<c>AddVgacClient</c>, <c>AddCopilotCore</c>). Hosts replace <see cref="IActionApprover"/> with their own.
    /// </summary>
    public static IServiceCollection AddVgacPlugins(this IServiceCollection services)
    {
        services.TryAddSingleton<ObserverPlugin>();
        services.TryAddSingleton<PredictorPlugin>();
        services.TryAddSingleton<CalibratorPlugin>();
        services.TryAddSingleton<ActorPlugin>();
        services.AddVgacActions();
        services.TryAddSingleton<ToolCatalog>();
        return services;
    }
}
