using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Agents;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Benchmarks;

/// <summary>
/// The copilot's in-process predict call against a raw <see cref="HttpClient"/> POST of the same body to the same
/// simulator endpoint on loopback, interleaved, p50 and p99. Target (#17): the copilot adds at most 5 %.
/// </summary>
internal static class PredictLatency
{
    private const int Warmup = 500;
    private const int Iterations = 5000;

    public static async Task RunAsync()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 });
        // Production wiring and production logging (the CLI's default level), not the tests' log collector.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vgac:BaseUrl"] = host.Url.ToString() }).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddVgacClient();
        services.AddCopilotCore();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IVgacPredictionClient>();
        var agent = provider.GetRequiredService<PredictorAgent>();
        using var raw = new HttpClient { BaseAddress = host.Url };
        var spec = new JobSpec { Gpus = 4, Cpu = 8000, MemoryGb = 64, Priority = 5, Namespace = "ml-research" };

        async Task Raw()
        {
            using var response = await raw.PostAsJsonAsync(VgacRoutes.PredictWait, spec, VgacJsonContext.Default.JobSpec);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadFromJsonAsync(VgacJsonContext.Default.PredictionResult);
        }

        var factory = provider.GetRequiredService<IHttpClientFactory>().CreateClient(Vgac.Copilot.Client.VgacClientServiceCollectionExtensions.HttpClientName);

        async Task Pipeline()
        {
            using var response = await factory.PostAsJsonAsync(VgacRoutes.PredictWait, spec, VgacJsonContext.Default.JobSpec);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadFromJsonAsync(VgacJsonContext.Default.PredictionResult);
        }

        Task Client() => client.PredictWaitAsync(spec);

        Task Agent() => agent.PredictAsync(spec);

        var runs = new (string Name, Func<Task> Call, List<double> Samples)[]
        {
            ("raw HttpClient POST", Raw, []),
            ("same POST through the client's handler pipeline", Pipeline, []),
            ("raw client PredictWaitAsync (no guards)", Client, []),
            ("PredictorAgent.PredictAsync (client + guards)", Agent, []),
        };

        for (var i = 0; i < Warmup; i++)
        {
            foreach (var run in runs)
            {
                await run.Call();
            }
        }

        for (var i = 0; i < Iterations; i++)
        {
            foreach (var run in runs)
            {
                var started = Stopwatch.GetTimestamp();
                await run.Call();
                run.Samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }

        Console.WriteLine($"Predict path on loopback, {Iterations} interleaved calls each ({Environment.ProcessorCount} cores):");
        var baseline = Percentiles(runs[0].Samples);
        foreach (var (name, _, samples) in runs)
        {
            var (p50, p99) = Percentiles(samples);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-48} p50 {p50,7:0.0} us  p99 {p99,7:0.0} us   overhead vs raw: p50 {(p50 / baseline.P50 - 1) * 100,5:+0.0;-0.0} %  p99 {(p99 / baseline.P99 - 1) * 100,5:+0.0;-0.0} %"));
        }
    }

    private static (double P50, double P99) Percentiles(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
    }
}
