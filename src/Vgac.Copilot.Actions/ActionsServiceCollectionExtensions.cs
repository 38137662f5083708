using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Client.Http;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Actions;

public static class ActionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole path of an action (<c>Watch</c> section's action settings): the planner, the approval
    /// queue (the one entry point of every approval: the CLI's, MCP's, the REPL's, the loop's), the runner and its
    /// reservations, the executors, verification and the trail check, over the audit trail
    /// (<see cref="AuditServiceCollectionExtensions.AddAuditTrail"/>; the host adds a storage provider), and the
    /// default approver: no one to ask, so nothing runs until a host supplies one. The guards judge against the
    /// copilot's own calibration audits in that trail. Needs the core (<c>AddCopilotCore</c>).
    /// </summary>
    public static IServiceCollection AddVgacActions(this IServiceCollection services)
    {
        // Every face that may act asks for this; the webhook's client must get its handlers once, however many do.
        if (services.Any(d => d.ServiceType == typeof(ActionQueue)))
        {
            return services;
        }

        services.TryAddSingleton<ActionPlanner>();
        services.TryAddSingleton<IActionApprover, DenyingApprover>();
        services.AddOptions<ActionOptions>().BindConfiguration(ActionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActionOptions>, ActionOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ActionOptions>>().Value);
        services.AddAuditTrail();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new WatchClock(sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<DryRunExecutor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, WebhookNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, CommandExecutor>());
        services.TryAddSingleton<SlurmExecutor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, SlurmExecutor>(sp => sp.GetRequiredService<SlurmExecutor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISchedulerProbe, SlurmExecutor>(sp => sp.GetRequiredService<SlurmExecutor>()));
        services.AddSingleton(new CarriedExecutor(ExecutorChoice.Slurm));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActionOptions>, ExecutorCarriedValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, DryRunExecutor>(sp => sp.GetRequiredService<DryRunExecutor>()));
        services.AddHttpClient(WebhookNotifier.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Redirects.NotFollowed(new SocketsHttpHandler()))
            .RemoveAllLoggers()
            .AddResilience(sp => WebhookNotifier.Policy(sp.GetRequiredService<IOptions<ActionOptions>>().Value.Webhook), WebhookNotifier.ResilienceLogCategory)
            .Services.AddTransient<WebhookNotifier.AttemptCountingHandler>();
        services.AddHttpClient(WebhookNotifier.HttpClientName).AddHttpMessageHandler<WebhookNotifier.AttemptCountingHandler>();

        // The copilot's own calibration audits live in the trail, so every process judges against the latest one.
        services.Replace(ServiceDescriptor.Singleton<ICalibrationAudits, TrailCalibrationAudits>());
        services.TryAddSingleton<ActionRunner>();
        services.TryAddSingleton<EffectVerifier>();
        services.TryAddSingleton<ActionQueue>();
        services.TryAddSingleton(sp => new AuditCheck(
            sp.GetRequiredService<AuditStore>(), sp.GetRequiredService<Core.Guards.GuardPolicy>(), sp.GetRequiredService<IOptions<ActionOptions>>().Value,
            sp.GetRequiredService<IOptions<Client.VgacClientOptions>>().Value.BaseUrl));
        return services;
    }
}
