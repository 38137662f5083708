using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac doctor</c>: checks that VGAC is reachable, authenticated and answering, endpoint by endpoint.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("doctor", "Check the connection to VGAC: reachability, authentication, health, cluster and calibration endpoints.");
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, (session, token) => RunAsync(session, token), ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandSession session, CancellationToken cancellationToken)
    {
        var client = session.Get<IVgacClient>();
        await session.Out.WriteLineAsync($"VGAC at {client.BaseAddress}").ConfigureAwait(false);

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
                var c = await client.GetCalibrationAsync(ct).ConfigureAwait(false);
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

        return exitCode;
    }
}
