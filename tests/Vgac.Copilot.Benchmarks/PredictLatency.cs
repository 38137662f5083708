using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Benchmarks;

/// <summary>
/// The copilot's in-process predict call against a raw <see cref="HttpClient"/> POST of the same body to the same
/// simulator endpoint on loopback, interleaved, p50 and p99. Target (#17): the copilot adds at most 5 %. The simulator
/// runs in this process unless a VGAC URL is given: one in its own process (<c>vgac sim</c>) does not share this heap's
/// collections, which otherwise decide the p99 of every row alike.
/// </summary>
internal static class PredictLatency
{
    private const int Warmup = 500;
    private const int Iterations = 5000;
    private const int Rounds = 5;
    private const int AllocationCalls = 1000;

    public static async Task RunAsync(Uri? vgac)
    {
        await using var host = vgac is null ? await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }) : null;
        var url = vgac ?? host!.Url;
        // Production wiring and production logging (the CLI's default level), not the tests' log collector.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vgac:BaseUrl"] = url.ToString() }).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddVgacClient();
        services.AddCopilotCore();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IVgacPredictionClient>();
        var agent = provider.GetRequiredService<GuardedPredictor>();
        using var raw = new HttpClient { BaseAddress = url };
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
            ("GuardedPredictor.PredictAsync (client + guards)", Agent, []),
        };

        for (var i = 0; i < Warmup; i++)
        {
            foreach (var run in runs)
            {
                await run.Call();
            }
        }

        // Several rounds, each its own p50/p99 per row; the figures are the rounds' medians, so one round's scheduling
        // hiccup on a 2-core machine does not decide the p99.
        var rounds = new List<(double P50, double P99)[]>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var run in runs)
            {
                run.Samples.Clear();
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

            rounds.Add([.. runs.Select(r => Percentiles(r.Samples))]);
        }

        // Allocations per call, measured apart from the timing (a precise count stops the world); with the simulator in
        // this process its own allocations are counted too, the same for every row.
        var allocated = new double[runs.Length];
        for (var r = 0; r < runs.Length; r++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < AllocationCalls; i++)
            {
                await runs[r].Call();
            }

            allocated[r] = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)AllocationCalls;
        }

        Console.WriteLine($"Predict path on loopback, {Rounds} rounds of {Iterations} interleaved calls each ({Environment.ProcessorCount} cores), simulator {(vgac is null ? "in this process" : "at " + vgac)}; medians of the rounds:");
        for (var r = 0; r < runs.Length; r++)
        {
            var p50 = Median(rounds.Select(x => x[r].P50));
            var p99 = Median(rounds.Select(x => x[r].P99));
            var over50 = Median(rounds.Select(x => x[r].P50 / x[0].P50 - 1)) * 100;
            var over99 = Median(rounds.Select(x => x[r].P99 / x[0].P99 - 1)) * 100;
            var spread = string.Join(" ", rounds.Select(x => (x[r].P99 / x[0].P99 - 1) * 100).Select(v => Math.Round(v).ToString("+0;-0;0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {runs[r].Name,-48} p50 {p50,7:0.0} us  p99 {p99,7:0.0} us   overhead vs raw: p50 {over50,5:+0.0;-0.0} %  p99 {over99,5:+0.0;-0.0} % (rounds: {spread})  {allocated[r] / 1024,5:0.0} KB allocated per call"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static (double P50, double P99) Percentiles(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
    }
}
