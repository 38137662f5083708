using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// Serilog for the CLI: structured events to a rolling file in the user's data folder, and to stderr from the
/// level asked for. stdout is left to command output (and, later, to MCP's JSON-RPC).
/// </summary>
internal static class CliLogging
{
    private const string QuietTemplate = "[{Level:u3}] {Message:lj}{NewLine}";
    private const string OutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IServiceCollection AddCliLogging(this IServiceCollection services, LogOptions options)
    {
        var consoleLevel = LogOptions.ParseLevel(options.ConsoleLevel, "Log:ConsoleLevel (--log-level, VGAC_LOG_LEVEL)");
        var fileLevel = options.FileEnabled ? LogOptions.ParseLevel(options.FileLevel, "Log:FileLevel") : null;
        var lowest = new[] { consoleLevel, fileLevel }.Where(l => l.HasValue).Select(l => l!.Value).DefaultIfEmpty(LogEventLevel.Fatal).Min();

        var config = new LoggerConfiguration()
            .MinimumLevel.Is(lowest)
            // HttpClient's per-request chatter only when someone asked for debug output.
            .MinimumLevel.Override("System.Net.Http.HttpClient", lowest <= LogEventLevel.Debug ? lowest : LogEventLevel.Warning)
            .Enrich.FromLogContext();

        if (consoleLevel is { } console)
        {
            // Below debug, the terminal gets one line per event: the command prints its own friendly error, and
            // Polly's per-attempt reports and stack traces stay in the log file.
            var quiet = console > LogEventLevel.Debug;
            config.WriteTo.Logger(sub => sub
                .Filter.ByExcluding(e => quiet && e.Properties.TryGetValue("SourceContext", out var source) && source.ToString().StartsWith("\"Polly", StringComparison.Ordinal))
                .WriteTo.Console(
                    restrictedToMinimumLevel: console,
                    outputTemplate: quiet ? QuietTemplate : OutputTemplate,
                    formatProvider: CultureInfo.InvariantCulture,
                    standardErrorFromLevel: LogEventLevel.Verbose));
        }

        if (fileLevel is { } file)
        {
            var directory = options.ResolveDirectory();
            try
            {
                Directory.CreateDirectory(directory);
                config.WriteTo.File(
                    Path.Combine(directory, "vgac-.log"),
                    restrictedToMinimumLevel: file,
                    outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}",
                    formatProvider: CultureInfo.InvariantCulture,
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: 14,
                    shared: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"Log:Directory (VGAC_LOG_DIR): cannot write logs to '{directory}': {ex.Message}");
            }
        }

        var logger = config.CreateLogger();
        services.AddLogging(builder => builder.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddSerilog(logger, dispose: true));
        return services;
    }
}
