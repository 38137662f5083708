using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>The production wiring of client, core, plugins and planners, pointed at a VGAC over loopback.</summary>
internal static class AgentHost
{
    public static ServiceProvider Build(Uri vgac, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Vgac:BaseUrl"] = vgac.ToString(), ["Vgac:RetryBaseDelaySeconds"] = "0.01", ["Vgac:TimeoutSeconds"] = "5",
            [Audit.AuditServiceCollectionExtensions.SqlitePathKey] = Path.Combine(Testing.TestPaths.NewFolder("agent-trail-"), "audit.db"),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging();
        services.AddCopilot();
        services.AddSqliteStorage();
        return services.BuildServiceProvider();
    }
}
