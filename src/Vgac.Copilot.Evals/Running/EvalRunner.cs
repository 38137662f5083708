using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Agent;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Evals.Cases;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Core.Settings;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Evals.Running;

/// <summary>
/// Runs suites against cassettes only (no network): each case gets a fresh copy of the production wiring whose
/// HTTP client ends in a <see cref="CassetteHandler"/>, and a planner (offline, or a model from <see cref="LlmOptions"/>).
/// </summary>
public sealed class EvalRunner(string cassettesFolder, LlmOptions? llm = null)
{
    public string PlannerKind => llm?.IsConfigured == true ? "llm" : "offline";

    public async Task<IReadOnlyList<CaseResult>> RunAsync(IReadOnlyList<EvalSuite> suites, int repeat, Action<CaseResult>? progress, CancellationToken cancellationToken)
    {
        var cassettes = new Dictionary<string, Cassette>(StringComparer.Ordinal);
        var results = new List<CaseResult>();
        foreach (var suite in suites)
        {
            foreach (var c in suite.Cases)
            {
                Cassette Load(string name)
                {
                    if (!cassettes.TryGetValue(name, out var cassette))
                    {
                        cassettes[name] = cassette = Cassette.Load(Path.Combine(cassettesFolder, name));
                    }

                    return cassette;
                }

                // One VGAC, or several clusters each replaying its own cassette (the first is the current one).
                var clusters = c.Clusters ?? suite.Clusters;
                IReadOnlyList<(string? Cluster, Cassette Cassette)> replayed = clusters.Count > 0
                    ? [.. clusters.Select(kv => ((string?)kv.Key, Load(kv.Value)))]
                    : [(null, Load(c.Cassette ?? suite.Cassette))];
                for (var i = 0; i < repeat; i++)
                {
                    var result = await RunCaseAsync(suite, c, replayed, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    progress?.Invoke(result);
                }
            }
        }

        return results;
    }

    private async Task<CaseResult> RunCaseAsync(EvalSuite suite, EvalCase c, IReadOnlyList<(string? Cluster, Cassette Cassette)> replayed, CancellationToken cancellationToken)
    {
        var handlers = replayed.Select(r => new CassetteHandler(r.Cassette, c.ExactPredictions)).ToList();
        var clusters = replayed[0].Cluster is null ? null : new CassetteClusters();
        var providers = new List<ServiceProvider>();

        // The case's own audit trail (an audit a tool makes is recorded there, as in production), gone with the case.
        var trail = Path.Combine(Path.GetTempPath(), $"vgac-eval-{Guid.NewGuid():N}");
        for (var i = 0; i < replayed.Count; i++)
        {
            providers.Add(Build(handlers[i], replayed[i].Cluster, clusters, trail));
            clusters?.Add(replayed[i].Cluster!, $"cassette {replayed[i].Cassette.Manifest.Name}", providers[i]);
        }

        await using var disposer = new Disposer(providers, trail);
        var provider = providers[0];
        IPlanner planner = llm?.IsConfigured == true
            ? new LlmPlanner(llm, provider.GetRequiredService<ToolCatalog>(), TimeProvider.System, clusters is null ? replayed[0].Cassette.Manifest.Name : $"clusters {string.Join(", ", replayed.Select(r => r.Cluster))} (every tool takes `cluster`)")
            : provider.GetRequiredService<OfflinePlanner>();
        PlannerAnswer answer;
        try
        {
            var earlier = new List<ToolCallRecord>();
            foreach (var turn in c.Conversation)
            {
                earlier.AddRange((await planner.AskAsync(turn, cancellationToken).ConfigureAwait(false)).ToolCalls);
            }

            answer = await planner.AskAsync(c.Question, cancellationToken).ConfigureAwait(false);
            // The last answer may rest on anything the conversation fetched.
            answer = answer with { ToolCalls = [.. earlier, .. answer.ToolCalls] };
        }
        catch (CassetteMissException ex)
        {
            answer = new PlannerAnswer($"(eval could not run: {ex.Message})", planner.Kind, planner.Model, [], null, 0, Understood: false);
        }

        return CaseScorer.Score(suite, c, answer, [.. handlers.SelectMany(h => h.Approximations)], [.. handlers.SelectMany(h => h.Misses)]);
    }

    /// <summary>The production wiring over one cassette; with clusters, as one of them.</summary>
    private static ServiceProvider Build(CassetteHandler handler, string? cluster, CassetteClusters? clusters, string trail)
    {
        var services = new ServiceCollection();
        var settings = new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = cluster is null ? "http://vgac.cassette" : $"http://{cluster}.vgac.cassette",
            ["Vgac:MaxRetries"] = "0",
            ["Vgac:TimeoutSeconds"] = "10",
            ["Cluster:Name"] = cluster,
            [Audit.AuditServiceCollectionExtensions.SqlitePathKey] = Path.Combine(trail, "audit.db"),
        };
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (clusters is not null)
        {
            services.AddSingleton<Core.Clusters.IClusterDirectory>(clusters);
        }

        services.AddLogging(b => b.SetMinimumLevel(LogLevel.None));
        services.AddCopilot().ConfigurePrimaryHttpMessageHandler(() => handler);
        services.AddSqliteStorage();
        return services.BuildServiceProvider();
    }

    private sealed class Disposer(IReadOnlyList<ServiceProvider> providers, string trail) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync().ConfigureAwait(false);
            }

            if (Directory.Exists(trail))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(trail, recursive: true);
            }
        }
    }

    /// <summary>The clusters of one case, each its own provider over its own cassette; the first is the current one.</summary>
    private sealed class CassetteClusters : Core.Clusters.IClusterDirectory
    {
        private readonly List<Core.Clusters.ClusterInfo> _clusters = [];
        private readonly Dictionary<string, IServiceProvider> _services = new(StringComparer.Ordinal);

        public IReadOnlyList<Core.Clusters.ClusterInfo> Clusters => _clusters;

        public string Current { get; set; } = "";

        public void Add(string name, string endpoint, IServiceProvider services)
        {
            _clusters.Add(new Core.Clusters.ClusterInfo(name, endpoint, new Dictionary<string, string>()));
            _services[name] = services;
            Current = Current.Length == 0 ? name : Current;
        }

        public Task<IServiceProvider> ServicesAsync(string name, CancellationToken cancellationToken) =>
            _services.TryGetValue(name, out var services) ? Task.FromResult(services) : throw new KeyNotFoundException($"no cluster is named '{name}'.");
    }
}
