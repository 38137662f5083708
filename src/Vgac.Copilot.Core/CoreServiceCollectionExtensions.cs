using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the guards (options validated at start), the calibration provider and auditors, and the agents.
    /// When <c>Platform:Path</c> (<c>VGAC_PLATFORM_PATH</c>) is set, the baseline ECE comes from the platform's
    /// <c>safeguard_state.json</c>.
    /// </summary>
    public static IServiceCollection AddCopilotCore(this IServiceCollection services)
    {
        services.AddOptions<GuardOptions>().BindConfiguration(GuardOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuardOptions>, GuardOptionsValidator>());
        services.AddSingleton<IPostConfigureOptions<GuardOptions>, PlatformBaselineSetup>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GuardPolicy>();
        services.TryAddSingleton<Observation.ClusterObserver>();
        services.TryAddSingleton<CalibrationAuditor>();
        services.TryAddSingleton<ICalibrationAudits, InMemoryCalibrationAudits>();
        services.TryAddSingleton<Caching.ISharedCache, Caching.NoSharedCache>();
        services.TryAddSingleton<CalibrationProvider>();
        services.TryAddSingleton<InventoryProvider>();
        services.TryAddTransient<LiveAuditor>();
        services.TryAddSingleton<WaitIntervals>();
        services.TryAddTransient(sp => new GuardedPredictor(
            sp.GetRequiredService<Client.IVgacPredictionClient>(), sp.GetRequiredService<CalibrationProvider>(), sp.GetRequiredService<GuardPolicy>(),
            sp.GetRequiredService<WaitIntervals>(), sp.GetRequiredService<InventoryProvider>()));
        return services;
    }

    /// <summary>Applies the platform's last known good ECE over the configured baseline.</summary>
    private sealed class PlatformBaselineSetup(IConfiguration configuration, Microsoft.Extensions.Logging.ILoggerFactory loggers) : IPostConfigureOptions<GuardOptions>
    {
        public void PostConfigure(string? name, GuardOptions options)
        {
            if (configuration["Platform:Path"] is not { Length: > 0 } path)
            {
                return;
            }

            var baseline = PlatformBaseline.Load(path, loggers.CreateLogger("Vgac.Copilot.Platform"));
            if (baseline.LastKnownGoodEce is { } ece)
            {
                options.BaselineEce = ece;
                options.PlatformBaselineEce = ece;
            }
        }
    }
}
