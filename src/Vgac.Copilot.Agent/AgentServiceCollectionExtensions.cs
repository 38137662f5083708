using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Agent.Planning;

namespace Vgac.Copilot.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>Registers the planners. Needs the plugins (<c>AddVgacPlugins</c>).</summary>
    public static IServiceCollection AddCopilotAgent(this IServiceCollection services)
    {
        services.TryAddSingleton<ToolInvoker>();
        services.TryAddSingleton(sp => OfflinePlanner.Create(sp.GetRequiredService<ToolInvoker>()));
        services.TryAddSingleton<IPlanner>(sp => sp.GetRequiredService<OfflinePlanner>());
        return services;
    }
}
