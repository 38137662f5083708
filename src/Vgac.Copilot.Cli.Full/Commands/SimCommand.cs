using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac sim</c>: runs the embedded VGAC simulator in the foreground until Ctrl+C.</summary>
internal sealed class SimCommand : VgacCommand
{
    private static readonly Option<int> Port = new("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8000, HelpName = "port" };
    private static readonly Option<string?> Bind = new("--bind") { Description = "Address to listen on (default 127.0.0.1; the simulator has no authentication unless faults require a key).", HelpName = "address" };
    private static readonly Option<string?> Flavor = new("--flavor") { Description = "Scheduler: kubernetes (default) or slurm.", HelpName = "flavor" };
    private static readonly Option<string?> Trace = new("--trace") { Description = "Replay a trace: Alibaba GPU v2023 pod list, VGAC Slurm dataset CSV, or SWF (.swf/.swf.gz).", HelpName = "file" };
    private static readonly Option<double?> TraceStart = new("--trace-start-hours") { Description = "Start the replay this many hours into the trace (for a long trace whose busy part comes late).", HelpName = "hours" };
    private static readonly Option<string?> TraceFormat = new("--trace-format") { Description = "auto (default), alibaba, slurm-dataset or swf.", HelpName = "format" };
    private static readonly Option<string?> TraceTiming = new("--trace-timing") { Description = "simulate (default): the simulated scheduler starts jobs; recorded: jobs start when the trace says.", HelpName = "timing" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "Seed of the synthetic workload (default 42).", HelpName = "n" };
    private static readonly Option<double?> Speed = new("--speed") { Description = "Simulated seconds per real second (default 60; 0 freezes the clock).", HelpName = "x" };
    private static readonly Option<double?> Warmup = new("--warmup-hours") { Description = "Simulated hours run before serving (default 204: a week, then to Tuesday noon, when a queue has formed).", HelpName = "hours" };

    /// <summary>The simulator's flags, as the configuration keys they set (<c>--demo</c> on other commands reads the same keys).</summary>
    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => ToConfiguration(parse);

    private static IEnumerable<KeyValuePair<string, string?>> ToConfiguration(ParseResult parse)
    {
        if (parse.GetValue(Flavor) is { } flavor)
        {
            yield return new("Simulator:Flavor", flavor);
        }

        if (parse.GetValue(Trace) is { } trace)
        {
            yield return new("Simulator:TracePath", Path.GetFullPath(trace));
        }

        if (parse.GetValue(TraceStart) is { } start)
        {
            yield return new("Simulator:TraceStartHours", start.ToString(CultureInfo.InvariantCulture));
        }

        if (parse.GetValue(TraceFormat) is { } format)
        {
            yield return new("Simulator:TraceFormat", format);
        }

        if (parse.GetValue(TraceTiming) is { } timing)
        {
            yield return new("Simulator:TraceTiming", timing);
        }

        if (parse.GetValue(Seed) is { } seed)
        {
            yield return new("Simulator:Seed", seed.ToString(CultureInfo.InvariantCulture));
        }

        if (parse.GetValue(Speed) is { } speed)
        {
            yield return new("Simulator:Speed", speed.ToString(CultureInfo.InvariantCulture));
        }

        if (parse.GetValue(Warmup) is { } warmup)
        {
            yield return new("Simulator:WarmupHours", warmup.ToString(CultureInfo.InvariantCulture));
        }
    }

    public SimCommand(CliContext context)
        : base(context, FullCommands.Sim)
    {
        foreach (var option in new Option[] { Port, Bind, Flavor, Trace, TraceStart, TraceFormat, TraceTiming, Seed, Speed, Warmup })
        {
            Options.Add(option);
        }

        Examples =
        [
            ("vgac sim --port 8000", "a synthetic Kubernetes GPU cluster at http://127.0.0.1:8000"),
            ("vgac sim --flavor slurm --trace data/ricc-2010/RICC-2010-2.swf.gz", "replay a Slurm-style trace"),
            ("vgac sim --trace data/alibaba-gpu-v2023/openb_pod_list_default.csv --trace-timing recorded --trace-start-hours 2900 --warmup-hours 400", "the Alibaba trace from where it gets busy, with its recorded waits"),
        ];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var options = SimulatorSettings.Bind(session.Configuration);
        var (address, port) = ListenAddress.Resolve(parse.GetValue(Bind), parse.GetValue(Port), IPAddress.Loopback);

        await session.Context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Starting the VGAC simulator ({options.Flavor.ToString().ToLowerInvariant()}, {(options.TracePath is null ? $"synthetic workload, seed {options.Seed}" : $"trace {options.TracePath}")}, warm-up {options.WarmupHours} h)...")).ConfigureAwait(false);
        SimulatorHost host;
        try
        {
            host = await SimulatorHost.StartAsync(options, port, address, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"--port {port}: the address is already in use; pick another port or --port 0.");
        }

        await using (host.ConfigureAwait(false))
        {
            var o = session.Out;
            await o.WriteLineAsync($"VGAC simulator listening on {host.Url}").ConfigureAwait(false);
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  simulated time {host.Simulation.Now:yyyy-MM-dd HH:mm} UTC, {options.Speed}x real time")).ConfigureAwait(false);
            await DescribeModelAsync(session, host, options).ConfigureAwait(false);
            await o.WriteLineAsync($"  try: vgac doctor --vgac-url {host.Url}").ConfigureAwait(false);
            await o.WriteLineAsync($"  admin: {host.Url}_sim/state (faults, drift, scheduler switch under /_sim/)").ConfigureAwait(false);
            await o.WriteLineAsync("  Ctrl+C to stop.").ConfigureAwait(false);
            await o.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await session.Context.Error.WriteLineAsync("Simulator stopped.").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The model the warm-up fitted, or, when it could not fit one, why and what to change (said now, not by every prediction's fallback).</summary>
    private static async Task DescribeModelAsync(CommandSession session, SimulatorHost host, Simulator.SimulatorOptions options)
    {
        if (host.Simulation.ModelReport is { } model)
        {
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  model {model.ModelVersion}: AUROC {model.AurocCalibrated:0.000}, ECE {model.EceRaw:0.000} raw -> {model.EceCalibrated:0.000} calibrated")).ConfigureAwait(false);
            return;
        }

        var submitted = host.Simulation.SubmittedSoFar;
        var why = submitted < Simulator.Simulation.MinimumTrainingJobs
            ? string.Create(CultureInfo.InvariantCulture, $"saw {Core.Text.Words.Count(submitted, "job")}; the model needs {Simulator.Simulation.MinimumTrainingJobs} finished ones to fit")
            : string.Create(CultureInfo.InvariantCulture, $"saw {Core.Text.Words.Count(submitted, "job")}, but too few waited over {options.LongWaitThresholdSeconds:0} s for the model to learn both outcomes");
        var fix = options.TracePath is null ? "Raise --warmup-hours."
            : "Raise --warmup-hours, start where the trace is busy with --trace-start-hours, or replay the trace's own waits with --trace-timing recorded.";
        await session.Context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"vgac: warning: the {options.WarmupHours} h warm-up {why}, so predictions are fallbacks (exit 6) until it fits. {fix}")).ConfigureAwait(false);
    }
}
