using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// Serilog for the CLI: structured events to a rolling file in the user's data folder, and to stderr from the
/// level asked for. stdout is left to command output (and to MCP's JSON-RPC). Every line goes through the run's
/// <see cref="SecretRedactor"/> and loses its control characters; log files live in a folder only the user can read
/// (0700, files 0600) and roll at <see cref="LogOptions.MaxFileMegabytes"/>, 14 files at most.
/// </summary>
internal static class CliLogging
{
    private const string QuietTemplate = "[{Level:u3}] {Message:lj}{NewLine}";
    private const string OutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Where unexpected errors are logged: to the file only (the terminal gets the one-line message).</summary>
    public const string UnexpectedCategory = "Vgac.Copilot.Cli.Unexpected";

    /// <summary>The resilience handlers' log categories, as Serilog quotes them.</summary>
    private static readonly string[] ResilienceCategories =
        [$"\"{Client.VgacClientServiceCollectionExtensions.ResilienceLogCategory}\"", $"\"{Actions.Executors.WebhookNotifier.ResilienceLogCategory}\""];

    private const string FileTemplate = "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    public static IServiceCollection AddCliLogging(this IServiceCollection services, LogOptions options, SecretRedactor secrets)
    {
        var consoleLevel = LogOptions.ParseLevel(options.ConsoleLevel, SettingsCatalog.Name("Log:ConsoleLevel"));
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
            // the resilience handlers' retry and circuit reports and stack traces stay in the log file.
            var quiet = console > LogEventLevel.Debug;
            config.WriteTo.Logger(sub => sub
                .Filter.ByExcluding(e => e.Properties.TryGetValue("SourceContext", out var source)
                    && (quiet && ResilienceCategories.Contains(source.ToString()) || source.ToString() == $"\"{UnexpectedCategory}\""))
                .WriteTo.Console(
                    Redacting(quiet ? QuietTemplate : OutputTemplate, secrets),
                    restrictedToMinimumLevel: console,
                    standardErrorFromLevel: LogEventLevel.Verbose));
        }

        string? openFolder = null;
        if (fileLevel is { } file)
        {
            var directory = options.ResolveDirectory();
            try
            {
                openFolder = PrivateFolder(directory);
                config.WriteTo.File(
                    Redacting(FileTemplate, secrets),
                    Path.Combine(directory, "vgac-.log"),
                    restrictedToMinimumLevel: file,
                    fileSizeLimitBytes: (long)(options.MaxFileMegabytes * 1024 * 1024),
                    rollOnFileSizeLimit: true,
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: 14,
                    shared: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"{SettingsCatalog.Name("Log:Directory")}: cannot write logs to '{directory}': {ex.Message}");
            }
        }

        var logger = config.CreateLogger();
        if (openFolder is not null)
        {
            logger.Warning("{Setting}: {Warning}", SettingsCatalog.Name("Log:Directory"), openFolder);
        }
        services.AddLogging(builder => builder.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddSerilog(logger, dispose: true));
        return services;
    }

    private static ITextFormatter Redacting(string template, SecretRedactor secrets) =>
        new RedactingFormatter(new MessageTemplateTextFormatter(template, CultureInfo.InvariantCulture), secrets);

    /// <summary>
    /// The log folder: created 0700 when vgac creates it, left as it is when it exists (<see cref="Core.IO.PrivatePaths"/>);
    /// today's file created 0600, and the files the rolling sink made since (by the process's umask) set to 0600 where
    /// this user may. Returns the warning for a folder that is open to other users.
    /// </summary>
    private static string? PrivateFolder(string directory)
    {
        var warning = Core.IO.PrivatePaths.EnsureFolder(directory);
        Core.IO.PrivatePaths.EnsureFile(Path.Combine(directory, $"vgac-{DateTime.Now:yyyyMMdd}.log"));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var log in Directory.EnumerateFiles(directory, "vgac-*.log"))
            {
                try
                {
                    File.SetUnixFileMode(log, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                catch (UnauthorizedAccessException)
                {
                    // Another user's log in a shared folder: not ours to change.
                }
            }
        }

        return warning;
    }

    /// <summary>Renders a log event, then masks secrets and drops control characters from the whole line.</summary>
    private sealed class RedactingFormatter(ITextFormatter inner, SecretRedactor secrets) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            using var line = new StringWriter(CultureInfo.InvariantCulture);
            inner.Format(logEvent, line);
            output.Write(UntrustedText.Clean(secrets.Redact(line.ToString())));
        }
    }
}
