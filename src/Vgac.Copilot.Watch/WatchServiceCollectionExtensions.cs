using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client.Http;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Watch.Actions;
using Vgac.Copilot.Watch.Executors;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Watch;

public static class WatchServiceCollectionExtensions
{
    /// <summary>
    /// Registers the watch loop, the approval queue, the executors and the audit store (<c>Watch</c> section). Needs
    /// the plugins registered. Everything is lazy: commands that do not watch pay nothing for it.
    /// </summary>
    public static IServiceCollection AddVgacWatch(this IServiceCollection services)
    {
        services.AddOptions<WatchOptions>().BindConfiguration(WatchOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WatchOptions>, WatchOptionsValidator>());
        services.AddAuditTrail();
        services.AddSqliteStorage();
        services.TryAddSingleton(sp => new WatchLeadership(
            sp.GetRequiredService<IAuditBackend>(), sp.GetRequiredService<LeaseFenceHolder>(), AuditServiceCollectionExtensions.ClusterOf(sp),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.LeaseFor(sp.GetRequiredService<IOptions<WatchOptions>>().Value.IntervalSeconds), TimeProvider.System,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WatchLeadership>>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WatchOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new WatchClock(sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<DryRunExecutor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, WebhookNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, CommandExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionExecutor, DryRunExecutor>(sp => sp.GetRequiredService<DryRunExecutor>()));
        services.AddHttpClient(WebhookNotifier.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Client.Http.Redirects.NotFollowed(new SocketsHttpHandler()))
            .RemoveAllLoggers()
            .AddResilience(sp => WebhookNotifier.Policy(sp.GetRequiredService<IOptions<WatchOptions>>().Value.Webhook), WebhookNotifier.ResilienceLogCategory)
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
            sp.GetRequiredService<AuditStore>(), sp.GetRequiredService<Core.Guards.GuardPolicy>(), sp.GetRequiredService<WatchOptions>(),
            sp.GetRequiredService<IOptions<Client.VgacClientOptions>>().Value.BaseUrl));
        services.TryAddSingleton<WatchCycle>();
        services.TryAddSingleton<WatchLoop>();
        return services;
    }
}
