using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Client.Http;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Actions;

public static class ActionTrailServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole audited path of an action (<c>Watch</c> section's action settings): the approval queue,
    /// the runner and its reservations, the executors, verification and the trail check, over the audit trail
    /// (<see cref="AuditServiceCollectionExtensions.AddAuditTrail"/>; the host adds a storage provider). Every approval
    /// (the CLI's, MCP's, the REPL's, the loop's) then takes the same executors and trail, and the guards judge against
    /// the copilot's own calibration audits in that trail. Needs the core and the planner (<c>AddVgacActions</c>).
    /// </summary>
    public static IServiceCollection AddActionTrail(this IServiceCollection services)
    {
        services.AddOptions<ActionOptions>().BindConfiguration(ActionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActionOptions>, ActionOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ActionOptions>>().Value);
        services.AddAuditTrail();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new WatchClock(sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<DryRunExecutor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, WebhookNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, CommandExecutor>());
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

        // Actions approved through MCP or the REPL take the same executors and audit trail as the loop's.
        services.TryAddSingleton<AuditedExecutionPath>();
        services.Replace(ServiceDescriptor.Singleton<IActionExecutionPath>(sp => sp.GetRequiredService<AuditedExecutionPath>()));
        services.TryAddSingleton(sp => new AuditCheck(
            sp.GetRequiredService<AuditStore>(), sp.GetRequiredService<Core.Guards.GuardPolicy>(), sp.GetRequiredService<IOptions<ActionOptions>>().Value,
            sp.GetRequiredService<IOptions<Client.VgacClientOptions>>().Value.BaseUrl));
        return services;
    }
}
