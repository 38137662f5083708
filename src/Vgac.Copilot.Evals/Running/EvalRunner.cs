using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Agent;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Evals.Cases;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Plugins.Catalog;

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
                var name = c.Cassette ?? suite.Cassette;
                if (!cassettes.TryGetValue(name, out var cassette))
                {
                    cassettes[name] = cassette = Cassette.Load(Path.Combine(cassettesFolder, name));
                }

                for (var i = 0; i < repeat; i++)
                {
                    var result = await RunCaseAsync(suite, c, cassette, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    progress?.Invoke(result);
                }
            }
        }

        return results;
    }

    private async Task<CaseResult> RunCaseAsync(EvalSuite suite, EvalCase c, Cassette cassette, CancellationToken cancellationToken)
    {
        var handler = new CassetteHandler(cassette, c.ExactPredictions);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = "http://vgac.cassette",
            ["Vgac:MaxRetries"] = "0",
            ["Vgac:TimeoutSeconds"] = "10",
        }).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.None));
        services.AddCopilot().ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        IPlanner planner = llm?.IsConfigured == true
            ? new LlmPlanner(llm, provider.GetRequiredService<ToolCatalog>(), TimeProvider.System, cassette.Manifest.Name)
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

        return CaseScorer.Score(suite, c, answer, handler.Approximations, handler.Misses);
    }
}
