using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Actions.Executors;

namespace Vgac.Copilot.Actions.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the built-in Kubernetes executor (<c>Watch:Executor=kubernetes</c>) to the action path
    /// (<see cref="ActionsServiceCollectionExtensions.AddVgacActions"/>): it carries out Kubernetes effects, checks
    /// previews with a server-side dry run, reads effects back, and answers <c>vgac doctor</c>. The full program
    /// adds it; a program without it refuses that choice at start rather than dry-run it unnoticed.
    /// </summary>
    public static IServiceCollection AddKubernetesExecutor(this IServiceCollection services)
    {
        services.TryAddSingleton<KubernetesExecutor>();
        services.AddSingleton(new CarriedExecutor(ExecutorChoice.Kubernetes));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, KubernetesExecutor>(sp => sp.GetRequiredService<KubernetesExecutor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPreviewChecker, KubernetesExecutor>(sp => sp.GetRequiredService<KubernetesExecutor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISchedulerProbe, KubernetesExecutor>(sp => sp.GetRequiredService<KubernetesExecutor>()));
        return services;
    }
}
