using Vgac.Copilot.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>The production watch stack (client, guards, plugins, watch) against a VGAC at a URL, with a fresh audit file.</summary>
internal static class WatchHarness
{
    public static ServiceProvider Build(Uri vgac, out AuditStore audit, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("audit-"), "audit.db");
        var values = new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = vgac.ToString(),
            ["Vgac:MaxRetries"] = "0",
            ["Vgac:TimeoutSeconds"] = "5",
            ["Guards:CalibrationCacheSeconds"] = "0",
            ["Watch:AuditPath"] = path,
            ["Watch:IntervalSeconds"] = "0.01",
            ["Watch:MaxBackoffSeconds"] = "0.05",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug)
            .AddProvider(new Testing.TestOutputLoggerProvider(() => TestContext.Current.TestOutputHelper is { } output ? output.WriteLine : null)));
        services.AddVgacClient();
        services.AddCopilotCore();
        services.AddVgacTools();
        services.AddVgacWatch();
        services.AddSqliteStorage();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        audit = provider.GetRequiredService<AuditStore>();
        return provider;
    }
}
