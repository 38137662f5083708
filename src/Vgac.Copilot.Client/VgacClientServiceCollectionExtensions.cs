using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;
using Vgac.Copilot.Client.Http;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client;

public static class VgacClientServiceCollectionExtensions
{
    /// <summary>Name of the HTTP client behind <see cref="IVgacClient"/>, for tests that add handlers to it.</summary>
    public const string HttpClientName = "vgac";

    /// <summary>Where retries and the circuit breaker's changes are logged.</summary>
    public const string ResilienceLogCategory = "Vgac.Copilot.Client.Resilience";

    /// <summary>
    /// Registers <see cref="IVgacClient"/>: options from the <c>Vgac</c> section (validated at start), the
    /// source-generated Refit client, the resilience pipeline, and the API-key handler inside it.
    /// Requires an <c>IConfiguration</c> in the container.
    /// </summary>
    public static IHttpClientBuilder AddVgacClient(this IServiceCollection services)
    {
        services.AddOptions<VgacClientOptions>().BindConfiguration(VgacClientOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VgacClientOptions>, VgacClientOptionsValidator>());
        services.TryAddTransient<ApiKeyHandler>();
        services.TryAddTransient<VgacClient>();
        services.TryAddTransient<IVgacClient>(sp => sp.GetRequiredService<VgacClient>());
        services.TryAddTransient<IVgacPredictionClient>(sp => sp.GetRequiredService<VgacClient>());

        var settings = new RefitSettings(new SystemTextJsonContentSerializer(VgacJsonContext.Default.Options));
        var builder = services
            .AddRefitGeneratedClient<IVgacApi>(VgacJsonContext.Default, _ => settings, HttpClientName)
            .ConfigureHttpClient((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<VgacClientOptions>>().Value;
                http.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/'));
                http.Timeout = Timeout.InfiniteTimeSpan; // The resilience handler owns timeouts.
            })
            // Connections are recycled by the pool itself, so a client captured by a long-lived service still sees
            // DNS changes, and the factory need not rotate handlers. Redirects are not followed: the key would go along.
            .ConfigurePrimaryHttpMessageHandler(() => Redirects.NotFollowed(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // HttpClient's own request logging puts header values into structured log state, where redaction
            // does not reach at trace level; VgacClient logs every call (endpoint, time, outcome) instead.
            .RemoveAllLoggers()
            .RedactLoggedHeaders(_ => true);

        // One handler chain per name, kept for the process (infinite handler lifetime), so one breaker sees every call.
        builder.AddResilience(sp => VgacResilience.Policy(sp.GetRequiredService<IOptions<VgacClientOptions>>().Value), ResilienceLogCategory);

        // Added after the resilience handler, so it runs inside it: once per attempt.
        builder.AddHttpMessageHandler<ApiKeyHandler>();
        return builder;
    }
}
