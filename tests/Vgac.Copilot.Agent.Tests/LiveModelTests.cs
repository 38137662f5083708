using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>
/// Against a real model: needs an OpenAI-compatible endpoint outside this machine, so it is filtered out of the
/// default run (tests/Directory.Build.props). Run it with
/// <c>VGAC_LIVE_LLM_ENDPOINT=... VGAC_LIVE_LLM_MODEL=... dotnet test --filter Category=LiveModel</c>.
/// </summary>
[Trait("Category", "LiveModel")]
public sealed class LiveModelTests
{
    [Fact]
    public async Task RealModel_AnswersFromToolResults()
    {
        var endpoint = Environment.GetEnvironmentVariable("VGAC_LIVE_LLM_ENDPOINT")
            ?? throw new InvalidOperationException("Set VGAC_LIVE_LLM_ENDPOINT (and VGAC_LIVE_LLM_MODEL, VGAC_LIVE_LLM_API_KEY if needed) to run the live-model test.");
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: ct);
        using var services = AgentHost.Build(simulator.Url);
        var planner = new LlmPlanner(new LlmOptions
        {
            Provider = "openai-compatible",
            Endpoint = endpoint,
            Model = Environment.GetEnvironmentVariable("VGAC_LIVE_LLM_MODEL") ?? "gpt-4o-mini",
            ApiKey = Environment.GetEnvironmentVariable("VGAC_LIVE_LLM_API_KEY"),
        }, services.GetRequiredService<ToolCatalog>(), TimeProvider.System, "sim-gpu-cluster");

        var answer = await planner.AskAsync("How many GPUs are free right now?", ct);

        Assert.Contains(answer.ToolCalls, c => c.Ok);
        Assert.Contains("104", string.Concat(answer.ToolCalls.Select(c => c.Result)), StringComparison.Ordinal);
    }
}
