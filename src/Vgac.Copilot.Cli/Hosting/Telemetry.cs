using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// OpenTelemetry for the whole process, off unless asked for: OTLP export when the standard <c>OTEL_*</c>
/// variables name an endpoint or exporter (<c>OTEL_SDK_DISABLED=true</c> turns it off), and a Prometheus endpoint where
/// a command serves one. Covers the copilot's own source and meter, Semantic Kernel's and the MCP SDK's, and the HTTP
/// client's (VGAC, the model, webhooks). Traces carry names, rules, tiers and outcomes, never prompts or secrets
/// (Semantic Kernel's sensitive-data switch stays off).
/// </summary>
internal static class Telemetry
{
    /// <summary>The activity sources and meters exported (each library uses one name for both).</summary>
    public static readonly string[] Names = [CopilotTelemetry.Name, "Microsoft.SemanticKernel*", "Experimental.ModelContextProtocol", "System.Net.Http"];

    /// <summary>Whether the standard variables ask for OTLP export.</summary>
    public static bool OtlpRequested(IReadOnlyDictionary<string, string> environment)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        if (string.Equals(Get("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return Get("OTEL_EXPORTER_OTLP_ENDPOINT") is not null || Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is not null || Get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") is not null
            || string.Equals(Get("OTEL_TRACES_EXPORTER"), "otlp", StringComparison.OrdinalIgnoreCase) || string.Equals(Get("OTEL_METRICS_EXPORTER"), "otlp", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Starts OTLP export for this run (traces and metrics), or nothing; disposing flushes what is buffered.</summary>
    public static IDisposable? StartOtlp(CliContext context) => OtlpRequested(context.Environment) ? BuildOtlp() : null;

    /// <summary>Kept out of <see cref="StartOtlp"/> so a run without telemetry (the fast predict) never loads the SDK to compile it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Providers BuildOtlp()
    {
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnostics", true);
        var resource = Resource();
        var tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(Names).AddOtlpExporter().Build();
        var meter = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Names).AddOtlpExporter((_, reader) =>
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 15_000).Build();
        return new Providers(tracer, meter);
    }

    /// <summary>
    /// The resource every exporter of the process describes itself with (OTLP, the watch's Prometheus listener, the
    /// MCP server's <c>/metrics</c>): <c>service.name</c> is <c>vgac</c> unless <c>OTEL_SERVICE_NAME</c> or
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c> say otherwise (read last, so they win), never the SDK's <c>unknown_service</c>.
    /// </summary>
    public static ResourceBuilder Describe(ResourceBuilder resource) =>
        resource.AddService("vgac", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString())
            .AddTelemetrySdk().AddEnvironmentVariableDetector();

    internal static ResourceBuilder Resource() => Describe(ResourceBuilder.CreateEmpty());

    private sealed class Providers(TracerProvider tracer, MeterProvider meter) : IDisposable
    {
        public void Dispose()
        {
            tracer.Dispose();
            meter.Dispose();
        }
    }
}
