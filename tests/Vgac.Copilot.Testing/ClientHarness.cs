using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Testing;

/// <summary>
/// The production client wiring (<see cref="VgacClientServiceCollectionExtensions.AddVgacClient"/>) with
/// in-memory configuration and a log collector that sees every level, so tests can read all log lines.
/// </summary>
public sealed class ClientHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private ClientHarness(ServiceProvider provider)
    {
        _provider = provider;
        Client = provider.GetRequiredService<IVgacClient>();
        Logs = provider.GetFakeLogCollector();
    }

    public IVgacClient Client { get; }

    /// <summary>The raw prediction endpoints (internal to the product: only Core's guarded service uses them).</summary>
    internal IVgacPredictionClient Predictions => _provider.GetRequiredService<IVgacPredictionClient>();

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _provider;

    /// <summary>Builds a client for <paramref name="baseAddress"/>; fast retries unless the test overrides them.</summary>
    /// <param name="baseAddress">VGAC's URL.</param>
    /// <param name="settings">Configuration overrides.</param>
    /// <param name="primaryHandler">The innermost handler (a cassette, say) instead of the network.</param>
    public static ClientHarness Create(Uri baseAddress, IDictionary<string, string?>? settings = null, HttpMessageHandler? primaryHandler = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = baseAddress.ToString(),
            ["Vgac:RetryBaseDelaySeconds"] = "0.01",
            ["Vgac:TimeoutSeconds"] = "5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true);
        var client = services.AddVgacClient();
        if (primaryHandler is not null)
        {
            client.ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return new ClientHarness(provider);
    }

    /// <summary>Every log line written so far, message and exception text, for secret scans.</summary>
    public string AllLogText() => string.Join('\n', Logs.GetSnapshot().Select(r =>
        $"{r.Message} {r.Exception} {string.Join(' ', (r.StructuredState ?? []).Select(kv => $"{kv.Key}={kv.Value}"))} {string.Join(' ', r.Scopes)}"));

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
