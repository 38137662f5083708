using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac doctor</c>: checks that VGAC is reachable, authenticated and answering, endpoint by endpoint.</summary>
internal sealed class DoctorCommand : VgacCommand
{
    public DoctorCommand(CliContext context)
        : base(context, "doctor", "Check the connection to VGAC: reachability, authentication, health, cluster and calibration endpoints.", CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        Examples = [("vgac doctor", "check the VGAC in your configuration"), ("vgac doctor --vgac-url https://vgac.example.com", "check another one")];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var client = session.Get<IVgacClient>();
        await session.Out.WriteLineAsync($"VGAC at {client.BaseAddress}").ConfigureAwait(false);
        Contracts.CalibrationMetrics? calibration = null;

        var checks = new (string Name, Func<CancellationToken, Task<string>> Run)[]
        {
            ("health", async ct =>
            {
                var h = await client.GetPredictionHealthAsync(ct).ConfigureAwait(false);
                return $"{h.Status}, model {(h.ModelLoaded ? "loaded" : "NOT loaded")}{(h.ModelVersion is null ? "" : $" ({h.ModelVersion})")}";
            }),
            ("cluster", async ct =>
            {
                var s = await client.GetClusterSummaryAsync(ct).ConfigureAwait(false);
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

        var exitCode = ExitCodes.Success;
        foreach (var (name, run) in checks)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var detail = await run(cancellationToken).ConfigureAwait(false);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  ok    {name,-12} {detail} ({ms:0.0} ms)")).ConfigureAwait(false);
            }
            catch (VgacApiException ex)
            {
                await session.Out.WriteLineAsync($"  FAIL  {name,-12} {ex.Message}").ConfigureAwait(false);
                if (exitCode == ExitCodes.Success)
                {
                    exitCode = CommandHost.Describe(ex, cancellationToken).Code;
                }
            }
        }

        if (exitCode != ExitCodes.Success)
        {
            await session.Out.WriteLineAsync("Verdict: VGAC is not answering every check; see FAIL above.").ConfigureAwait(false);
            return exitCode;
        }

        // Answering is not the same as healthy: the model must also be calibrated within its SLO for the guards to let anything act.
        var guards = session.Get<GuardPolicy>();
        // The same view the guards take on every other path: VGAC's figures and the copilot's own latest audit.
        var status = await session.Get<CalibrationProvider>().WithAuditsAsync(calibration!, cancellationToken).ConfigureAwait(false);
        var drift = guards.Drift(status.ToFacts());
        var limit = guards.Options.Slo.MaxEce;
        var ece = drift.EffectiveEce ?? calibration!.Ece;
        var sloMet = status.IsAvailable && ece <= limit && !calibration!.RecalibrationNeeded;
        var audited = status.AuditedEce is { } a ? string.Create(CultureInfo.InvariantCulture, $" (the worse of VGAC's {calibration!.Ece:0.000} and the copilot's audit {a:0.000})") : "";
        await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {(sloMet ? "ok  " : "FAIL")}  {"slo",-12} ECE {ece:0.000}{audited} against a limit of {limit:0.000}{(calibration!.RecalibrationNeeded ? "; VGAC says recalibration is needed" : "")}")).ConfigureAwait(false);
        await session.Out.WriteLineAsync($"  {(drift.Level is DriftLevel.Stable or DriftLevel.Monitor ? "ok  " : "FAIL")}  {"guards",-12} {drift.Reason}").ConfigureAwait(false);
        var healthy = sloMet && drift.Level is DriftLevel.Stable or DriftLevel.Monitor;
        await session.Out.WriteLineAsync(healthy
            ? "Verdict: healthy: every endpoint answers and the model is calibrated within its SLO."
            : $"Verdict: VGAC answers, but {(sloMet ? "the guards limit autonomy" : "the calibration SLO failed")}: {drift.Reason}").ConfigureAwait(false);
        return healthy ? ExitCodes.Success : ExitCodes.SloFailed;
    }
}
