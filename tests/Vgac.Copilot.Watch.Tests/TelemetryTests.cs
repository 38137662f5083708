using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Vgac.Copilot.Client;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Watch.Loop;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>What a watch cycle reports through OpenTelemetry, read back with the SDK's in-memory exporter.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WatchCycle_WithAnAction_CountsCallsVerdictsActionsAndTheCycle_AndTracesThem()
    {
        // A cluster of its own, so this test's measurements are told apart from any other test's in the process.
        var cluster = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(CopilotTelemetry.Name).AddInMemoryExporter(metrics).Build();
        var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(CopilotTelemetry.Name).AddInMemoryExporter(spans).Build();
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        using var services = WatchHarness.Build(vgac.BaseAddress, out _, new() { ["Watch:Autonomy"] = "notify", ["Cluster:Name"] = cluster });

        await services.GetRequiredService<WatchLoop>().RunAsync((_, _) => Task.CompletedTask, null, 1, Ct);
        // Shut down (flushing) before reading: other tests in the process keep ending spans on the same source.
        meterProvider.Dispose();
        tracerProvider.Dispose();

        long Sum(string name, Func<IReadOnlyDictionary<string, object?>, bool> match)
        {
            long total = 0;
            foreach (var metric in metrics.Where(m => m.Name == name))
            {
                foreach (var point in metric.MetricPoints)
                {
                    var tags = new Dictionary<string, object?>();
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = tag.Value;
                    }

                    total += match(tags) ? point.GetSumLong() : 0;
                }
            }

            return total;
        }

        Assert.Equal(1, Sum("vgac.watch.cycles", t => Equals(t["vgac.cluster"], cluster) && Equals(t["vgac.outcome"], "ok")));
        Assert.True(Sum("vgac.client.calls", t => Equals(t["vgac.endpoint"], "/api/jobs/predict/batch") && Equals(t["vgac.outcome"], "ok")) >= 1);
        Assert.True(Sum("vgac.guard.verdicts", t => Equals(t["vgac.rule"], "tier_allowed") && Equals(t["vgac.tier"], 1) && Equals(t["vgac.allowed"], true)) >= 1);
        Assert.Equal(1, Sum("vgac.actions", t => Equals(t["vgac.cluster"], cluster) && Equals(t["vgac.outcome"], "executed") && Equals(t["vgac.action"], "warn") && Equals(t["vgac.tier"], 2)));

        var cycle = Assert.Single(spans, s => s.DisplayName == "watch cycle" && Equals(s.GetTagItem("vgac.cluster"), cluster));
        Assert.Equal("ok", cycle.GetTagItem("vgac.outcome"));
        var action = Assert.Single(spans, s => s.DisplayName.StartsWith("action ", StringComparison.Ordinal) && Equals(s.GetTagItem("vgac.cluster"), cluster));
        Assert.Equal(cycle.TraceId, action.TraceId);
        Assert.Contains("VGAC GET /api/jobs/predict/batch", spans.Where(s => s.TraceId == cycle.TraceId).Select(s => s.DisplayName));
    }
}
