using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Vgac.Copilot.Actions;

public static class ActionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the action planner and the defaults of the approval contract: no one to ask (nothing runs) and an
    /// in-memory dry-run log. Hosts replace <see cref="IActionApprover"/>; the watch replaces
    /// <see cref="IActionExecutionPath"/> with its audited, reserved path. Needs the core (<c>AddCopilotCore</c>).
    /// </summary>
    public static IServiceCollection AddVgacActions(this IServiceCollection services)
    {
        services.TryAddSingleton<ActionPlanner>();
        services.TryAddSingleton<ActionLog>();
        services.TryAddSingleton<IActionExecutionPath>(sp => sp.GetRequiredService<ActionLog>());
        services.TryAddSingleton<IActionApprover, DenyingApprover>();
        return services;
    }
}
