using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Tools;

public static class ToolServiceCollectionExtensions
{
    /// <summary>
    /// The copilot below the planners: VGAC client, core (guards, calibration, agents) and the plugins. A host that
    /// answers questions adds the planners too (<c>AddCopilot</c>); returns the VGAC HTTP client builder so a host can
    /// put a different primary handler under it (a cassette, say).
    /// </summary>
    public static IHttpClientBuilder AddCopilotTools(this IServiceCollection services)
    {
        var client = services.AddVgacClient();
        services.AddCopilotCore();
        services.AddVgacTools();
        return client;
    }

    /// <summary>
    /// Registers the four plugins and the <see cref="ToolCatalog"/>. Needs the client and the core
    /// (<c>AddVgacClient</c>, <c>AddCopilotCore</c>). Hosts replace <see cref="IActionApprover"/> with their own.
    /// </summary>
    public static IServiceCollection AddVgacTools(this IServiceCollection services)
    {
        services.TryAddSingleton<ObserverPlugin>();
        services.TryAddSingleton<PredictorPlugin>();
        services.TryAddSingleton<CalibratorPlugin>();
        services.TryAddSingleton<ActorPlugin>();
        services.AddVgacActions();
        // The catalogue of this provider's own cluster, and the one the faces serve: routed by a `cluster` argument when the
        // host serves several clusters, else the same.
        services.TryAddKeyedSingleton<ToolCatalog>(ClusterRouting.LocalCatalog, (sp, _) => new ToolCatalog(
            sp.GetRequiredService<ObserverPlugin>(), sp.GetRequiredService<PredictorPlugin>(), sp.GetRequiredService<CalibratorPlugin>(),
            sp.GetRequiredService<ActorPlugin>(), sp.GetService<Core.Text.SecretRedactor>()));
        services.TryAddSingleton(sp =>
        {
            var local = sp.GetRequiredKeyedService<ToolCatalog>(ClusterRouting.LocalCatalog);
            return sp.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } clusters ? ClusterRouting.Across(local, clusters) : local;
        });
        return services;
    }
}
