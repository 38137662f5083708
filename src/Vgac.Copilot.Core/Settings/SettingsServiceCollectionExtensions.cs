using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Core.Settings;

/// <summary>
/// Settings every program reads and checks (<c>vgac config</c>, <c>vgac doctor</c>), whether or not it carries what
/// they configure: the one-shot <c>vgac</c> has no model connector or watch loop, and still reports their sections.
/// </summary>
public static class SettingsServiceCollectionExtensions
{
    /// <summary>The model's settings and their checks (<c>Llm</c> section), without the planners.</summary>
    public static IServiceCollection AddLlmOptions(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        return services;
    }

    /// <summary>The watch loop's schedule and its checks (<c>Watch</c> section), without the loop.</summary>
    public static IServiceCollection AddWatchOptions(this IServiceCollection services)
    {
        services.AddOptions<WatchOptions>().BindConfiguration(WatchOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WatchOptions>, WatchOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WatchOptions>>().Value);
        return services;
    }
}
