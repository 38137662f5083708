using System.CommandLine;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Clusters;

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
        Action<IServiceCollection>? services = null,
        bool usesExecutor = false)
    {
        IServiceProvider? provider = null;
        ClusterScopes? clusters = null;
        using var telemetry = Telemetry.StartOtlp(context);
        try
        {
            // A one-shot command's client has no circuit breaker: a few calls cannot trip one usefully (see Commands.VgacCommand.LivesLong).
            IEnumerable<KeyValuePair<string, string?>> lifetime = parse.CommandResult.Command is Commands.VgacCommand { LivesLong: true } ? [] : [new("Vgac:CircuitBreaker", "false")];
            var flags = lifetime.Concat(GlobalOptions.ToConfiguration(parse)).Concat(settings ?? []).ToList();
            var configuration = CopilotConfiguration.Build(context, parse.GetValue(GlobalOptions.ConfigFile), flags);
            StartupTimeline.Mark("configuration");
            context.Secrets.Learn(configuration);
            // --demo: two simulated clusters; a reader of a demo trail (audit, actions list) gets the same names, no
            // simulator; a command that acts on one (actions approve, apply) gets the demo's simulators, at the trail's time.
            var plan = connectsToVgac && parse.GetValue(GlobalOptions.Demo) ? ClusterPlan.Demo(parse.GetValue(GlobalOptions.Cluster))
                : parse.GetResult(Commands.AuditTrail.LatestDemo) is not null && parse.GetValue(Commands.AuditTrail.LatestDemo) ? ClusterPlan.Demo(parse.GetValue(GlobalOptions.Cluster), simulate: connectsToVgac)
                : ClusterPlan.Read(configuration, context.Environment);
            if (usesExecutor && ChosenExecutors(plan, configuration).Any(e => !context.Host.Carries(e)))
            {
                // Nothing is written yet: the program that carries the executor runs the whole command instead.
                return await context.Host.HandOverAsync([.. context.Args], parse, context).ConfigureAwait(false);
            }

            clusters = new ClusterScopes(plan, configuration, flags, context.Secrets, services, context.Host,
                unflagged: () => CopilotConfiguration.Build(context, parse.GetValue(GlobalOptions.ConfigFile), []));

            // The cluster this run is for; the others are built only if the command asks for them.
            var scope = await clusters.ScopeAsync(plan.Selected, cancellationToken).ConfigureAwait(false);
            provider = scope.Services;
            return await body(new CommandSession(scope.Services, context, scope.Configuration) { Clusters = clusters }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex, cancellationToken, context.Host) is var (code, message))
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
            if (clusters is not null)
            {
                await clusters.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The executors the configuration chooses, shared and per cluster (values that do not parse are the validator's to report).</summary>
    private static IEnumerable<Actions.ExecutorChoice> ChosenExecutors(ClusterPlan plan, IConfiguration configuration) =>
        plan.Clusters.Select(c => c.Overlay.GetValueOrDefault("Watch:Executor")).Append(configuration["Watch:Executor"])
            .Select(v => Enum.TryParse<Actions.ExecutorChoice>(v, ignoreCase: true, out var e) ? e : (Actions.ExecutorChoice?)null)
            .OfType<Actions.ExecutorChoice>();

#if DEBUG
    // Every test run (a Debug build) checks that each registration can be built; a released program trusts what they
    // checked rather than walk every registration on each start (about 20 ms of a native predict).
    internal const bool ValidateWiring = true;
#else
    internal const bool ValidateWiring = false;
#endif

    /// <summary>
    /// Exit code and one-line message for an exception (the program's host names the failures of what it carries);
    /// null message when nothing should be printed.
    /// </summary>
    internal static (int Code, string? Message) Describe(Exception ex, CancellationToken cancellationToken, CliHost? host = null) => host?.Describe(ex) ?? ex switch
    {
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner, cancellationToken, host),
        AggregateException { InnerExceptions: [var single] } => Describe(single, cancellationToken, host),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Cancelled, "cancelled."),
        OptionsValidationException validation => (ExitCodes.UsageError, InvalidConfiguration([validation])),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            (ExitCodes.UsageError, InvalidConfiguration(aggregate.InnerExceptions.Cast<OptionsValidationException>())),
        ConfigurationException config => (ExitCodes.UsageError, config.Message),
        Vgac.Copilot.Audit.Storage.AuditStoreException store => (ExitCodes.StoreUnavailable, store.Message),
        Vgac.Copilot.Audit.Storage.LeadershipLostException lost => (ExitCodes.StoreUnavailable, lost.Message),
        Vgac.Copilot.Actions.ActionQueueException queue =>
            (queue.NotFound ? ExitCodes.NotFound : queue.VgacUnavailable ? ExitCodes.VgacUnavailable : ExitCodes.ActionRefused, queue.Message),
        Vgac.Copilot.Calibration.CsvAuditException csv => (ExitCodes.UsageError, csv.Message),
        Core.Jobs.JobSpecException spec => (ExitCodes.UsageError, spec.Message),
        ArgumentException argument when argument.ParamName is "spec" => (ExitCodes.UsageError, "invalid job spec: " + argument.Message.Split(" (Parameter")[0]),
        InvalidOperationException conversion when ConversionFailure().Match(conversion.Message) is { Success: true } m =>
            (ExitCodes.UsageError, $"invalid configuration: {Composition.SettingsCatalog.Name(m.Groups["key"].Value)} must be {Article(Friendly(m.Groups["type"].Value))}, got '{Core.Text.UntrustedText.Clean(m.Groups["value"].Value, 80)}'."),
        InvalidDataException data => (ExitCodes.UsageError, $"bad input file: {data.Message}"),
        VgacUnavailableException unavailable => (ExitCodes.VgacUnavailable, unavailable.Message),
        VgacTimeoutException timeout => (ExitCodes.VgacTimeout, timeout.Message),
        VgacApiException api => (ExitCodes.VgacError, api.Message),
        _ => (ExitCodes.Failure, $"unexpected error: {ex.Message} (details in the log file)"),
    };

    private static string InvalidConfiguration(IEnumerable<OptionsValidationException> failures) =>
        "invalid configuration: " + string.Join(" ", failures.SelectMany(f => f.Failures).Select(Composition.SettingsCatalog.Named).Distinct(StringComparer.Ordinal));

    /// <summary>A parser's or binder's type name in words a person uses.</summary>
    internal static string Friendly(string clrType) => clrType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']') switch
    {
        "System.Double" or "System.Single" or "System.Decimal" => "number",
        "System.Int32" or "System.Int64" => "whole number",
        "System.Boolean" => "boolean (true or false)",
        "Vgac.Copilot.Actions.Autonomy" => "one of off, notify, full",
        "Vgac.Copilot.Actions.ExecutorChoice" => "one of none, command, slurm, kubernetes",
        "System.String" => "text",
        "System.TimeSpan" => "duration",
        _ => "value of the documented kind",
    };

    private static string Article(string kind) => kind.StartsWith("one of ", StringComparison.Ordinal) ? kind : $"a {kind}";

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>[^']*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    internal static partial Regex ConversionFailure();
}

/// <summary>What a command body gets: its cluster's services and configuration, the output streams, and every cluster.</summary>
internal sealed record CommandSession(IServiceProvider Services, CliContext Context, IConfiguration Configuration)
{
    /// <summary>The run's clusters; <see cref="Services"/> are those of the one it was started for.</summary>
    public required ClusterScopes Clusters { get; init; }

    public TextWriter Out => Context.Out;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The embedded simulator of a <c>--demo</c> run (only the full program carries it; the one-shot hands such runs over first).</summary>
    public IDemoSimulator Demo => Context.Host.RequireDemo();

    /// <summary>
    /// The clusters a reading or watching command covers: every one when several are configured and the run names
    /// none (<c>--cluster</c>), else the one it is for.
    /// </summary>
    public IReadOnlyList<string> ClustersInScope(System.CommandLine.ParseResult parse) =>
        Clusters.Several && parse.GetResult(GlobalOptions.Cluster) is null ? [.. Clusters.Clusters.Select(c => c.Name)] : [Clusters.Selected];

    /// <summary>The services of the cluster a proposal belongs to (the run's own when the trail does not know it).</summary>
    public async Task<IServiceProvider> ServicesOfProposalAsync(string proposalId, CancellationToken cancellationToken)
    {
        if (!Clusters.Several)
        {
            return Services;
        }

        var store = Get<Vgac.Copilot.Audit.AuditStore>();
        var found = store.Exists
            ? (await store.AllClusters().QueryAsync(proposal: proposalId, kind: Vgac.Copilot.Audit.AuditKind.Proposal, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            : null;
        return found is not null && Clusters.Has(found.Cluster)
            ? await Clusters.ServicesAsync(found.Cluster, cancellationToken).ConfigureAwait(false)
            : Services;
    }
}

internal static partial class CommandHostLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Unexpected error")]
    public static partial void LogUnexpected(this Microsoft.Extensions.Logging.ILogger logger, Exception exception);
}
