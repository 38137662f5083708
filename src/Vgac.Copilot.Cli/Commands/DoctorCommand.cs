using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac doctor</c>: checks that VGAC is reachable, authenticated and answering, endpoint by endpoint, and that its
/// calibration lets the guards act. With several clusters, every one is checked at once, one line each.
/// </summary>
internal sealed class DoctorCommand : VgacCommand
{
    public DoctorCommand(CliContext context)
        : base(context, "doctor", "Check the connection to VGAC: reachability, authentication, health, cluster and calibration endpoints (every cluster at once).", CommandNeeds.Vgac | CommandNeeds.Demo | CommandNeeds.Executor)
    {
        Examples =
        [
            ("vgac doctor", "check the VGAC in your configuration (every cluster, in parallel, one line each)"),
            ("vgac doctor --cluster slurm", "every check of one cluster"),
            ("vgac doctor --vgac-url https://vgac.example.com", "check another one"),
        ];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        if (session.Clusters.Several && parse.GetResult(GlobalOptions.Cluster) is null)
        {
            return await EveryClusterAsync(session, cancellationToken).ConfigureAwait(false);
        }

        await session.Out.WriteLineAsync($"VGAC at {session.Get<IVgacClient>().BaseAddress}{(session.Clusters.Several ? $" (cluster {session.Clusters.Selected})" : "")}").ConfigureAwait(false);
        var report = await CheckAsync(session.Services, cancellationToken).ConfigureAwait(false);
        foreach (var line in report.Lines)
        {
            await session.Out.WriteLineAsync(line).ConfigureAwait(false);
        }

        await session.Out.WriteLineAsync($"Verdict: {report.Verdict}").ConfigureAwait(false);
        return report.Code;
    }

    /// <summary>Every cluster at once; one cluster down or drifted says so on its own line and leaves the others' alone.</summary>
    private static async Task<int> EveryClusterAsync(CommandSession session, CancellationToken cancellationToken)
    {
        var clusters = session.Clusters.Clusters;
        var started = Stopwatch.GetTimestamp();
        var reports = await Task.WhenAll(clusters.Select(async cluster =>
        {
            var began = Stopwatch.GetTimestamp();
            try
            {
                var services = await session.Clusters.ServicesAsync(cluster.Name, cancellationToken).ConfigureAwait(false);
                return (Report: await CheckAsync(services, cancellationToken).ConfigureAwait(false), Ms: Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var (code, message) = CommandHost.Describe(ex, cancellationToken, session.Context.Host);
                return (Report: new DoctorReport([], $"cannot start: {message}", code, null), Ms: Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }
        })).ConfigureAwait(false);

        var width = clusters.Max(c => c.Name.Length);
        for (var i = 0; i < clusters.Count; i++)
        {
            var (report, ms) = reports[i];
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {(report.Code == ExitCodes.Success ? "ok  " : "FAIL")}  {clusters[i].Name.PadRight(width)}  {report.Summary ?? report.Verdict} ({ms:0} ms)")).ConfigureAwait(false);
        }

        var failed = reports.Count(r => r.Report.Code != ExitCodes.Success);
        var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        await session.Out.WriteLineAsync(failed == 0
            ? $"Verdict: healthy: all {clusters.Count} clusters answer and are calibrated within their SLO ({total} ms)."
            : $"Verdict: {failed} of {clusters.Count} clusters need attention; 'vgac doctor --cluster NAME' shows every check of one.").ConfigureAwait(false);

        // The first failing cluster's code, in configuration order: a script learns what kind of trouble there is.
        return reports.Select(r => r.Report.Code).Where(c => c != ExitCodes.Success).DefaultIfEmpty(ExitCodes.Success).First();
    }

    /// <summary>Lines of one cluster's checks, the verdict, the exit code, and (when it answered) a one-line summary.</summary>
    private sealed record DoctorReport(IReadOnlyList<string> Lines, string Verdict, int Code, string? Summary);

    private static async Task<DoctorReport> CheckAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        // First, whatever VGAC answers: this cluster's guards run weaker than built-in.
        if (Core.Guards.GuardNotice.Of(services.GetRequiredService<GuardPolicy>().Options) is { } weaker)
        {
            lines.Add($"  WARN  {"guards",-12} {weaker}");
        }

        var vgac = await AskVgacAsync(services.GetRequiredService<IVgacClient>(), lines, cancellationToken).ConfigureAwait(false);
        if (vgac.Code != ExitCodes.Success)
        {
            return new DoctorReport(lines, "VGAC is not answering every check; see FAIL above.", vgac.Code, vgac.FirstFailure);
        }

        if (await StoreFailureAsync(services, lines, cancellationToken).ConfigureAwait(false) is { } store)
        {
            return store;
        }

        if (await ExecutorFailureAsync(services, lines, cancellationToken).ConfigureAwait(false) is { } executor)
        {
            return executor;
        }

        return await CalibrationVerdictAsync(services, lines, vgac.Summary!, vgac.Calibration!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What VGAC answers: health, the cluster and the calibration, each timed; the first failure's exit code.</summary>
    private static async Task<(int Code, string? FirstFailure, Contracts.ClusterSummary? Summary, Contracts.CalibrationMetrics? Calibration)> AskVgacAsync(
        IVgacClient client, List<string> lines, CancellationToken cancellationToken)
    {
        Contracts.CalibrationMetrics? calibration = null;
        Contracts.ClusterSummary? summary = null;
        var checks = new (string Name, Func<CancellationToken, Task<string>> Run)[]
        {
            ("health", async ct =>
            {
                var h = await client.GetPredictionHealthAsync(ct).ConfigureAwait(false);
                return $"{h.Status}, model {(h.ModelLoaded ? "loaded" : "NOT loaded")}{(h.ModelVersion is null ? "" : $" ({h.ModelVersion})")}";
            }),
            ("cluster", async ct =>
            {
                var s = summary = await client.GetClusterSummaryAsync(ct).ConfigureAwait(false);
                return string.Create(CultureInfo.InvariantCulture,
                    $"{s.ClusterId} ({s.SchedulerType.ToString().ToLowerInvariant()}): {s.AvailableGpus}/{s.TotalGpus} GPUs free, {s.PendingJobs} pending, {s.RunningJobs} running");
            }),
            ("calibration", async ct =>
            {
                var c = calibration = await client.GetCalibrationAsync(ct).ConfigureAwait(false);
                return string.Create(CultureInfo.InvariantCulture,
                    $"ECE {c.Ece:0.000} over {c.SampleCount} samples{(c.RecalibrationNeeded ? ", recalibration needed" : "")}");
            }),
        };

        var code = ExitCodes.Success;
        string? firstFailure = null;
        foreach (var (name, run) in checks)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var detail = await run(cancellationToken).ConfigureAwait(false);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"  ok    {name,-12} {detail} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms)"));
            }
            catch (VgacApiException ex)
            {
                lines.Add($"  FAIL  {name,-12} {ex.Message}");
                firstFailure ??= $"{name}: {ex.Message}";
                code = code == ExitCodes.Success ? CommandHost.Describe(ex, cancellationToken).Code : code;
            }
        }

        return (code, firstFailure, summary, calibration);
    }

    /// <summary>The store the trail, the approvals and the copilot's own audits live in: reachable, and a schema this vgac can use (null when it is).</summary>
    private static async Task<DoctorReport?> StoreFailureAsync(IServiceProvider services, List<string> lines, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var store = await services.GetRequiredService<Audit.Storage.IAuditBackend>().StatusAsync(cancellationToken).ConfigureAwait(false);
            var schema = store.Version == 0 ? "no trail yet (made on first use)"
                : store.Pending.Count > 0 ? $"schema version {store.Version}, {Core.Text.Words.Count(store.Pending.Count, "migration")} to apply" : $"schema version {store.Version}";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  ok    {"store",-12} {store.Provider} at {store.Location}, {schema} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms)"));
            return null;
        }
        catch (Audit.Storage.AuditStoreException ex)
        {
            lines.Add($"  FAIL  {"store",-12} {ex.Message}");
            return new DoctorReport(lines, "VGAC answers, but the store cannot be used; see FAIL above.", ExitCodes.StoreUnavailable, $"store: {ex.Message}");
        }
    }

    /// <summary>The executor chosen for this cluster's actions, and whether it reaches its scheduler (null when it does, or needs none).</summary>
    private static async Task<DoctorReport?> ExecutorFailureAsync(IServiceProvider services, List<string> lines, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Actions.ActionOptions>>().Value;
        var started = Stopwatch.GetTimestamp();
        var (reached, detail) = options.EffectiveExecutor switch
        {
            Actions.ExecutorChoice.Slurm or Actions.ExecutorChoice.Kubernetes => await services.GetServices<Actions.Executors.ISchedulerProbe>()
                .First(p => p.Executor == options.EffectiveExecutor).PingAsync(cancellationToken).ConfigureAwait(false),
            Actions.ExecutorChoice.Command => (true, $"command: {options.Command.Path} receives Kubernetes and Slurm effects"),
            _ => (true, "none: actions are recorded as previews for a person to run (a dry run)"),
        };
        var ms = string.Create(CultureInfo.InvariantCulture, $" ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms)");
        lines.Add($"  {(reached ? "ok  " : "FAIL")}  {"executor",-12} {detail}{(options.EffectiveExecutor is Actions.ExecutorChoice.Slurm or Actions.ExecutorChoice.Kubernetes ? ms : "")}");
        return reached ? null : new DoctorReport(lines, "VGAC answers, but the executor cannot reach its scheduler; see FAIL above.", ExitCodes.SchedulerUnreachable, $"executor: {detail}");
    }

    /// <summary>
    /// Answering is not the same as healthy: the model must also be calibrated within its SLO for the guards to let
    /// anything act, judged on the same view the guards take on every other path (VGAC's figures and the copilot's
    /// own latest audit).
    /// </summary>
    private static async Task<DoctorReport> CalibrationVerdictAsync(
        IServiceProvider services, List<string> lines, Contracts.ClusterSummary summary, Contracts.CalibrationMetrics calibration, CancellationToken cancellationToken)
    {
        var guards = services.GetRequiredService<GuardPolicy>();
        var status = await services.GetRequiredService<CalibrationProvider>().WithAuditsAsync(calibration, cancellationToken).ConfigureAwait(false);
        var standing = guards.Standing(status.ToFacts());
        var drift = standing.Drift;
        var limit = guards.Options.Slo.MaxEce;
        var ece = drift.EffectiveEce ?? calibration.Ece;
        var sloMet = status.IsAvailable && ece <= limit && !calibration.RecalibrationNeeded;
        var audited = status.AuditedEce is { } a ? string.Create(CultureInfo.InvariantCulture, $" (the worse of VGAC's {calibration.Ece:0.000} and the copilot's audit {a:0.000})") : "";
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  {(sloMet ? "ok  " : "FAIL")}  {"slo",-12} ECE {ece:0.000}{audited} against a limit of {limit:0.000}{(calibration.RecalibrationNeeded ? "; VGAC says recalibration is needed" : "")}"));
        lines.Add($"  {(drift.Level is DriftLevel.Stable or DriftLevel.Monitor ? "ok  " : "FAIL")}  {"guards",-12} {standing.Line()}");
        var healthy = sloMet && drift.Level is DriftLevel.Stable or DriftLevel.Monitor;
        var oneLine = string.Create(CultureInfo.InvariantCulture,
            $"{summary.ClusterId} ({summary.SchedulerType.ToString().ToLowerInvariant()}): {summary.AvailableGpus}/{summary.TotalGpus} GPUs free, {summary.PendingJobs} pending; ECE {ece:0.000} (limit {limit:0.000})");
        return healthy
            ? new DoctorReport(lines, "healthy: every endpoint answers and the model is calibrated within its SLO.", ExitCodes.Success, $"{oneLine}; drift {drift.Level.Wire()}")
            : new DoctorReport(lines, $"VGAC answers, but {(sloMet ? "the guards limit autonomy" : "the calibration SLO failed")}: {standing.Line()}", ExitCodes.SloFailed, $"{oneLine}: {standing.Line()}");
    }
}
