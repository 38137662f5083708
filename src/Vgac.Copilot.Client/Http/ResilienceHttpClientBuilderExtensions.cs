using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vgac.Copilot.Client.Http;

public static class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Puts a <see cref="ResilienceHandler"/> into a named client's chain: the policy read from the container when the
    /// chain is built, the host's clock, retries and circuit changes logged under <paramref name="logCategory"/>.
    /// Handlers added after it run inside it, once per attempt.
    /// </summary>
    public static IHttpClientBuilder AddResilience(this IHttpClientBuilder builder, Func<IServiceProvider, ResiliencePolicy> policy, string logCategory) =>
        builder.AddHttpMessageHandler(sp => new ResilienceHandler(
            policy(sp),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(logCategory)));
}
