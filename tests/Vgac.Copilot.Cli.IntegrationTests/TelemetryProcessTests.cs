using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The telemetry a team's tools read, end to end with real processes: a real Prometheus (Debian's package) scraping
/// <c>vgac watch --metrics-port</c> and <c>vgac mcp --http</c>'s <c>/metrics</c>, and OTLP export switched on by the
/// standard <c>OTEL_*</c> variables, received over loopback HTTP.
/// </summary>
public sealed class TelemetryProcessTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_ScrapesWatchAndMcpHttp_SeesCyclesVerdictsAndTheServer()
    {
        var prometheus = FindOnPath("prometheus");
        if (prometheus is null)
        {
            Assert.Skip("Prometheus is not installed here (no 'prometheus' on PATH): install Debian's 'prometheus' package, as .ci/run does.");
        }

        await using var vgac = await new ScriptedVgac { Probability = 0.6, RotateJobs = true }.StartAsync(Ct);
        var (watchPort, mcpPort, promPort) = (LocalPorts.Free(), LocalPorts.Free(), LocalPorts.Free());
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-prom-");
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["VGAC_AUDIT_DB"] = Path.Combine(folder, "audit.db"),
            ["VGAC_LOG_DIR"] = folder,
            ["VGAC_DATA_DIR"] = folder,
            ["XDG_CONFIG_HOME"] = CliProcess.NoUserConfig,
        };
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: vgac-watch
                static_configs: [{ targets: ["127.0.0.1:{{watchPort}}"] }]
              - job_name: vgac-mcp
                static_configs: [{ targets: ["127.0.0.1:{{mcpPort}}"] }]
            """, Ct);

        using var watch = Start(["dotnet", CliProcess.VgacDll, "watch", "--autonomy", "notify", "--interval", "500ms", "--metrics-port", $"127.0.0.1:{watchPort}", "--format", "json"], env);
        using var mcp = Start(["dotnet", CliProcess.VgacDll, "mcp", "--http", "--port", mcpPort.ToString(CultureInfo.InvariantCulture)], env);
        using var server = Start([prometheus!, $"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{promPort}"], env);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{promPort}") };
        try
        {
            var cycles = await QueryUntilAsync(http, "sum(vgac_watch_cycles_total{job=\"vgac-watch\"})", v => v >= 2);
            var verdicts = await QueryUntilAsync(http, "sum(vgac_guard_verdicts_total{job=\"vgac-watch\",vgac_rule=\"tier_allowed\"})", v => v >= 1);
            var actions = await QueryUntilAsync(http, "sum(vgac_actions_total{job=\"vgac-watch\",vgac_outcome=\"executed\"})", v => v >= 1);
            var mcpUp = await QueryUntilAsync(http, "up{job=\"vgac-mcp\"}", v => v == 1);
            var mcpRequests = await QueryUntilAsync(http, "sum(http_server_request_duration_seconds_count{job=\"vgac-mcp\"})", v => v >= 1);
            output.WriteLine($"cycles {cycles}, allowed verdicts {verdicts}, executed actions {actions}, mcp up {mcpUp}, mcp requests {mcpRequests}");
        }
        finally
        {
            foreach (var process in new[] { watch, mcp, server })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Otlp_StandardVariables_ExportTheRunsSpansAndMetrics_HeadersNeverShown()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var collector = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "", ContentType: "application/x-protobuf"), Ct);
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=otlp-header-secret-value",
            ["OTEL_SERVICE_NAME"] = "vgac-under-test",
        };

        var result = await CliProcess.RunAsync(["predict", "--gpus", "2", "--log-level", "debug"], env, TimeSpan.FromSeconds(60), Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var traces = collector.Requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = collector.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(traces.Concat(metrics), r => Assert.Equal("otlp-header-secret-value", r.Headers["x-api-key"]));
        var spans = string.Concat(traces.Select(t => t.Body));
        Assert.Contains("VGAC POST /api/predict/wait", spans, StringComparison.Ordinal);
        Assert.Contains("vgac-under-test", spans, StringComparison.Ordinal);
        Assert.Contains("vgac.client.calls", string.Concat(metrics.Select(m => m.Body)), StringComparison.Ordinal);
        Assert.DoesNotContain("otlp-header-secret-value", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_SdkDisabled_NothingIsSent()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var collector = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, ""), Ct);

        // OTEL_SDK_DISABLED=true wins over an endpoint: nothing exports.
        var result = await CliProcess.RunAsync(["predict", "--gpus", "2"], new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["OTEL_SDK_DISABLED"] = "true",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString().TrimEnd('/'),
        }, TimeSpan.FromSeconds(60), Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(collector.Requests);
    }

    private static async Task<double> QueryUntilAsync(HttpClient http, string query, Func<double, bool> done)
    {
        var started = Stopwatch.GetTimestamp();
        var last = "";
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(90))
        {
            try
            {
                last = await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", Ct);
                using var json = JsonDocument.Parse(last);
                var result = json.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0
                    && double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture) is var value && done(value))
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus still starting.
            }

            await Task.Delay(500, Ct);
        }

        Assert.Fail($"Prometheus never saw {query} as expected; last answer: {last}");
        return 0;
    }

    private static Process Start(string[] command, IReadOnlyDictionary<string, string> env)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        TestEnvironment.Apply(info, env);

        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);
}
