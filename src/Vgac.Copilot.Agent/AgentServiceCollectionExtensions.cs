using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Agent.Offline;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Client;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>
    /// The whole copilot below the host: VGAC client, core (guards, calibration, agents), plugins and planners.
    /// Hosts add configuration, logging and their own surface; returns the VGAC HTTP client builder so a host can
    /// put a different primary handler under it (a cassette, say).
    /// </summary>
    public static IHttpClientBuilder AddCopilot(this IServiceCollection services)
    {
        var client = services.AddCopilotTools();
        services.AddCopilotAgent();
        return client;
    }

    /// <summary>Registers the planners. Needs the plugins (<c>AddVgacTools</c>).</summary>
    public static IServiceCollection AddCopilotAgent(this IServiceCollection services)
    {
        services.AddLlmOptions();
        services.TryAddSingleton<ToolActivity>();
        services.TryAddSingleton(sp => new ToolInvoker(sp.GetRequiredService<ToolCatalog>(), sp.GetRequiredService<ToolActivity>()));
        services.TryAddSingleton(sp => new AnswerChecker(sp.GetRequiredService<IOptions<Core.Guards.GuardOptions>>().Value));
        services.TryAddSingleton(sp => OfflinePlanner.Create(sp.GetRequiredService<ToolInvoker>(), Clusters(sp)));
        services.TryAddSingleton<IPlanner>(sp =>
        {
            var llm = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            return llm.IsConfigured
                ? new LlmPlanner(llm, sp.GetRequiredService<ToolCatalog>(), sp.GetRequiredService<TimeProvider>(), Where(sp), activity: sp.GetRequiredService<ToolActivity>(),
                    fallback: sp.GetRequiredService<OfflinePlanner>())
                : sp.GetRequiredService<OfflinePlanner>();
        });
        return services;
    }

    /// <summary>The configured clusters' names when there are several (the planners then name the cluster they ask).</summary>
    private static IReadOnlyList<string> Clusters(IServiceProvider services) =>
        services.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } directory ? [.. directory.Clusters.Select(c => c.Name)] : [];

    /// <summary>What the model is told about where the cluster is, or which clusters it can ask.</summary>
    private static string Where(IServiceProvider services) => services.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } directory
        ? $"clusters {string.Join(", ", directory.Clusters.Select(c => c.Name))} (every tool takes `cluster`; left out, it asks the current one, {directory.Current}; "
          + "for a question about several clusters, call the tool once per cluster and answer side by side, naming each)"
        : $"behind {services.GetRequiredService<IVgacClient>().BaseAddress}";
}
