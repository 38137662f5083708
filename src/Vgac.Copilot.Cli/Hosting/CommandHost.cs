using System.CommandLine;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// Runs one command: builds configuration and services, validates options, runs the body, and turns every
/// expected failure into a one-line message on stderr and a named exit code. No stack trace reaches the user.
/// </summary>
internal static partial class CommandHost
{
    public static async Task<int> RunAsync(
        ParseResult parse,
        CliContext context,
        Func<CommandSession, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        bool connectsToVgac = true,
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        ServiceProvider? provider = null;
        IAsyncDisposable? demo = null;
        try
        {
            var configuration = CopilotConfiguration.Build(
                context, parse.GetValue(GlobalOptions.ConfigFile), GlobalOptions.ToConfiguration(parse).Concat(Commands.SimCommand.ToConfiguration(parse)).Concat(settings ?? []));
            StartupTimeline.Mark("configuration");
            if (connectsToVgac && parse.GetValue(GlobalOptions.Demo))
            {
                demo = await DemoVgac.StartAsync(configuration, url => configuration["Vgac:BaseUrl"] = url.ToString(), cancellationToken).ConfigureAwait(false);
            }

            context.Secrets.Learn(configuration);
            var collection = new ServiceCollection();
            collection.AddSingleton(context.Secrets);
            services?.Invoke(collection);
            collection.AddCopilotServices(configuration);
            StartupTimeline.Mark("services registered");
            provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = ValidateWiring, ValidateScopes = ValidateWiring });
            StartupTimeline.Mark("services built");
            provider.GetRequiredService<IStartupValidator>().Validate();
            StartupTimeline.Mark("options validated");

            return await body(new CommandSession(provider, context, configuration), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex, cancellationToken) is var (code, message))
        {
            if (code == ExitCodes.Failure)
            {
                // The promised details: the whole exception goes to the log file (secrets masked there too).
                provider?.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger(CliLogging.UnexpectedCategory).LogUnexpected(ex);
            }

            if (message is not null)
            {
                await context.Error.WriteLineAsync($"vgac: {message}").ConfigureAwait(false);
            }

            return code;
        }
        finally
        {
            if (provider is not null)
            {
                await provider.DisposeAsync().ConfigureAwait(false);
            }

            if (demo is not null)
            {
                await demo.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

#if DEBUG
    // Every test run (a Debug build) checks that each registration can be built; a released program trusts what they
    // checked rather than walk every registration on each start (about 20 ms of a native predict).
    private const bool ValidateWiring = true;
#else
    private const bool ValidateWiring = false;
#endif

    /// <summary>Exit code and one-line message for an exception; null message when nothing should be printed.</summary>
    internal static (int Code, string? Message) Describe(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner, cancellationToken),
        AggregateException { InnerExceptions: [var single] } => Describe(single, cancellationToken),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Cancelled, "cancelled."),
        OptionsValidationException validation => (ExitCodes.UsageError, InvalidConfiguration([validation])),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            (ExitCodes.UsageError, InvalidConfiguration(aggregate.InnerExceptions.Cast<OptionsValidationException>())),
        ConfigurationException config => (ExitCodes.UsageError, config.Message),
        Agent.Planning.PlannerDeadlineException deadline => (ExitCodes.PlannerLimit, deadline.Message),
        Vgac.Copilot.Watch.Loop.WatchAlreadyRunningException running => (ExitCodes.UsageError, running.Message),
        Vgac.Copilot.Watch.Actions.ActionQueueException queue =>
            (queue.NotFound ? ExitCodes.NotFound : queue.VgacUnavailable ? ExitCodes.VgacUnavailable : ExitCodes.ActionRefused, queue.Message),
        Vgac.Copilot.Calibration.CsvAuditException csv => (ExitCodes.UsageError, csv.Message),
        Core.Jobs.JobSpecException spec => (ExitCodes.UsageError, spec.Message),
        ArgumentException argument when argument.ParamName is "spec" => (ExitCodes.UsageError, "invalid job spec: " + argument.Message.Split(" (Parameter")[0]),
        InvalidOperationException conversion when ConversionFailure().Match(conversion.Message) is { Success: true } m =>
            (ExitCodes.UsageError, $"invalid configuration: {m.Groups["key"].Value} must be a {Friendly(m.Groups["type"].Value)}, got '{m.Groups["value"].Value}'."),
        Simulator.Workload.TraceFormatException trace => (ExitCodes.UsageError, $"bad trace: {trace.Message}"),
        InvalidDataException data => (ExitCodes.UsageError, $"bad input file: {data.Message}"),
        VgacUnavailableException unavailable => (ExitCodes.VgacUnavailable, unavailable.Message),
        VgacTimeoutException timeout => (ExitCodes.VgacTimeout, timeout.Message),
        VgacApiException api => (ExitCodes.VgacError, api.Message),
        _ => (ExitCodes.Failure, $"unexpected error: {ex.Message} (details in the log file)"),
    };

    private static string InvalidConfiguration(IEnumerable<OptionsValidationException> failures) =>
        "invalid configuration: " + string.Join(" ", failures.SelectMany(f => f.Failures).Distinct(StringComparer.Ordinal));

    /// <summary>A parser's or binder's type name in words a person uses.</summary>
    internal static string Friendly(string clrType) => clrType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']') switch
    {
        "System.Double" or "System.Single" or "System.Decimal" => "number",
        "System.Int32" or "System.Int64" => "whole number",
        "System.Boolean" => "boolean (true or false)",
        "Vgac.Copilot.Watch.Actions.Autonomy" => "one of off, notify, full",
        "System.String" => "text",
        "System.TimeSpan" => "duration",
        _ => "value of the documented kind",
    };

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>[^']*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    internal static partial Regex ConversionFailure();
}

/// <summary>What a command body gets: services, the output streams, the configuration.</summary>
internal sealed record CommandSession(IServiceProvider Services, CliContext Context, IConfiguration Configuration)
{
    public TextWriter Out => Context.Out;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();
}

internal static partial class CommandHostLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Unexpected error")]
    public static partial void LogUnexpected(this Microsoft.Extensions.Logging.ILogger logger, Exception exception);
}
