using System.CommandLine;
using OpenTelemetry.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Watch;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac watch</c>: the agents' loop; everything it does is audited.</summary>
internal sealed class WatchCommand : VgacCommand
{
    /// <summary>A long-lived process: its VGAC client keeps a circuit breaker.</summary>
    public override bool LivesLong => true;

    /// <summary>Where the demo's simulated day starts: hours after the simulator's Monday 00:00.</summary>
    internal const int WatchDemoStartHours = 182;

    /// <summary>Finished jobs the demo's own calibration audit covers each cycle.</summary>
    internal const int WatchDemoAuditJobs = 300;

    /// <summary>The watch flags that become configuration (read again by <see cref="WatchSettings"/>).</summary>
    private static class WatchOptionsFlags
    {
        public static readonly Option<int?> Cycles = new("--cycles") { Description = "Stop after N cycles.", HelpName = "n" };
        public static readonly Option<string?> Interval = new("--interval") { Description = "Time between cycles: 30s (default), 2m, 500ms.", HelpName = "duration" };
        public static readonly Option<string?> SimStep = new("--sim-step") { Description = "With --demo: simulated time per cycle (default 10m).", HelpName = "duration" };

        public static TimeSpan SimStepOf(ParseResult parse) => Durations.Parse(parse.GetValue(SimStep) ?? "10m", "--sim-step");

        public static readonly Option<string?> Autonomy = new("--autonomy") { Description = "off (propose only, default), notify (tiers 1-2 may run by themselves) or full. The guards decide first.", HelpName = "off|notify|full" };
    }

    private readonly Option<bool> once = new("--once") { Description = "Run one cycle and exit." };

    private readonly Option<string?> metricsPort = new("--metrics-port")
    {
        Description = "Serve Prometheus metrics at http://HOST:PORT/metrics while watching: PORT (on localhost) or HOST:PORT (0.0.0.0:9464 for every interface).",
        HelpName = "[host:]port",
    };

    public WatchCommand(CliContext context)
        : base(context, FullCommands.Watch, CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        foreach (var option in new Option[] { once, metricsPort, WatchOptionsFlags.Cycles, WatchOptionsFlags.Interval, WatchOptionsFlags.Autonomy, WatchOptionsFlags.SimStep })
        {
            Options.Add(option);
        }

        AddFormat("text (default; a live view at a terminal) or json (one JSON object per cycle).");
        Options.Add(AuditTrail.Option);
        Examples =
        [
            ("vgac watch --demo", "a simulated day of trouble: drift, an outage, flaky answers"),
            ("vgac watch --interval 1m --autonomy notify", "tiers 1-2 may run by themselves where the guards allow"),
            ("vgac watch --once -o json", "one cycle as JSON, for cron"),
        ];
    }

    protected override Task<int> InvokeAsync(ParseResult parse, CancellationToken ct) =>
        WatchAsync(parse, ct);

    private async Task<int> WatchAsync(ParseResult parse, CancellationToken ct)
    {
        var context = Context;
        var format = Format!;
        var cycles = WatchOptionsFlags.Cycles;
        {
            var demo = parse.GetValue(GlobalOptions.Demo);
            // Each cluster's loop has its own clock: the demo plays each simulator's day on it.
            var demoClocks = new System.Collections.Concurrent.ConcurrentDictionary<string, SettableWatchClock>(StringComparer.Ordinal);
            SettableWatchClock ClockOf(IServiceProvider sp) => demoClocks.GetOrAdd(
                sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Cluster:Name"] ?? AuditStore.DefaultCluster, _ => new SettableWatchClock(DateTimeOffset.UnixEpoch));
            return await CommandHost.RunAsync(parse, context, async (session, token) =>
            {
                var simStep = WatchOptionsFlags.SimStepOf(parse);
                // The demo plays one simulated day and ends (cycle 0 at its start, the last at its end), unless told otherwise.
                var max = parse.GetValue(once) ? 1 : parse.GetValue(cycles) ?? (demo ? WatchDemoScenario.DayCycles(simStep) : null);
                if (session.Get<ActionOptions>().Autonomy != Autonomy.Off)
                {
                    session.Clusters.RequireConfiguredVgac("vgac watch with autonomy");
                }

                using var metrics = parse.GetValue(metricsPort) is { } endpoint ? StartMetrics(endpoint) : null;

                // Every cluster unless the run names one; each in its own loop, so one cluster's outage and backoff
                // never hold up another's cycles.
                var names = session.Clusters.Several && parse.GetResult(GlobalOptions.Cluster) is null
                    ? session.Clusters.Clusters.Select(c => c.Name).ToList()
                    : [session.Clusters.Selected];
                var scopes = new List<ClusterScopes.Scope>();
                foreach (var name in names)
                {
                    scopes.Add(await session.Clusters.ScopeAsync(name, token).ConfigureAwait(false));
                }

                var claims = new Claims();
                try
                {
                    claims.Claim(scopes);
                    var view = WatchView.Create(parse.GetValue(format) ?? "text", context);
                    var runs = await PrepareAsync(scopes, view, demo ? (simStep, ClockOf, claims.Scenarios) : null, token).ConfigureAwait(false);
                    var last = await RunLoopsAsync(runs, view, max, claims.Leaders, token).ConfigureAwait(false);
                    return await FinishAsync(session, scopes, demo, max, last, session.Get<ActionOptions>().Autonomy).ConfigureAwait(false);
                }
                finally
                {
                    await claims.DisposeAsync().ConfigureAwait(false);
                }
            }, ct, settings: WatchSettings(parse, demo, context.Environment), services: demo ? s => s.AddSingleton<WatchClock>(ClockOf) : null).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a watch holds while it runs: per cluster, a lock the OS drops with the process (one file, one machine) or,
    /// on a shared store, a leadership lease (replicas: one leads each cluster, the others stand by); and the demo's
    /// scenarios.
    /// </summary>
    private sealed class Claims : IAsyncDisposable
    {
        private readonly List<WatchLock> _locks = [];

        public Dictionary<string, WatchLeadership> Leaders { get; } = new(StringComparer.Ordinal);

        public List<WatchDemoScenario> Scenarios { get; } = [];

        public void Claim(IReadOnlyList<ClusterScopes.Scope> scopes)
        {
            foreach (var scope in scopes)
            {
                var trail = scope.Services.GetRequiredService<AuditStore>();
                if (trail.Backend is Vgac.Copilot.Storage.Sqlite.SqliteAuditBackend)
                {
                    _locks.Add(WatchLock.Acquire(trail.Path, scope.Name));
                }
                else
                {
                    Leaders[scope.Name] = scope.Services.GetRequiredService<WatchLeadership>();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            Scenarios.ForEach(s => s.Dispose());
            _locks.ForEach(l => l.Dispose());
            foreach (var leader in Leaders.Values)
            {
                await leader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Each cluster's loop, with its guard warning said first and, in the demo, its scenario (the day of trouble on the first cluster, a calm day beside it).</summary>
    private static async Task<List<(ClusterScopes.Scope Scope, WatchLoop Loop, WatchDemoScenario? Scenario)>> PrepareAsync(
        IReadOnlyList<ClusterScopes.Scope> scopes, WatchView view, (TimeSpan Step, Func<IServiceProvider, SettableWatchClock> ClockOf, List<WatchDemoScenario> Scenarios)? demo,
        CancellationToken token)
    {
        var runs = new List<(ClusterScopes.Scope Scope, WatchLoop Loop, WatchDemoScenario? Scenario)>();
        foreach (var scope in scopes)
        {
            if (GuardNotice.Of(scope.Services.GetRequiredService<GuardPolicy>().Options) is { } weaker)
            {
                await view.NoteAsync($"{(scopes.Count > 1 ? $"[{scope.Name}] " : "")}WARNING: {weaker}").ConfigureAwait(false);
            }

            WatchDemoScenario? scenario = null;
            if (demo is var (step, clockOf, scenarios))
            {
                var store = scope.Services.GetRequiredService<AuditStore>();
                DateTimeOffset? newest = store.Exists
                    ? (await store.QueryAsync(cancellationToken: token).ConfigureAwait(false)).Select(e => (DateTimeOffset?)e.At).Max()
                    : null;
                var say = scopes.Count > 1 ? (Func<string, Task>)(text => view.NoteAsync($"[{scope.Name}] {text}")) : view.NoteAsync;
                var simulator = new Uri(scope.Configuration["Vgac:BaseUrl"]!);
                var clock = clockOf(scope.Services);

                // What one cluster's drift and outage do (and do not do) to the others shows beside a calm day.
                scenario = scope == scopes[0]
                    ? WatchDemoScenario.Day(simulator, step, clock, say, newest)
                    : WatchDemoScenario.Calm(simulator, step, clock, say, newest);
                scenarios.Add(scenario);
            }

            runs.Add((scope, scope.Services.GetRequiredService<WatchLoop>(), scenario));
        }

        return runs;
    }

    /// <summary>Every cluster's loop at once, until each ends or a stop is asked (Ctrl+C: after the cycle in progress; again: at once); the last report of each.</summary>
    private async Task<System.Collections.Concurrent.ConcurrentDictionary<string, CycleReport>> RunLoopsAsync(
        List<(ClusterScopes.Scope Scope, WatchLoop Loop, WatchDemoScenario? Scenario)> runs, WatchView view, int? max, Dictionary<string, WatchLeadership> leaders,
        CancellationToken token)
    {
        var context = Context;
        using var stopping = token.Register(() => context.Error.WriteLine("vgac: stopping after the current cycle (Ctrl+C again stops at once; the audit trail stays consistent)."));
        var presses = 0;
        ConsoleCancelEventHandler again = (_, _) =>
        {
            if (Interlocked.Increment(ref presses) > 1)
            {
                Environment.Exit(ExitCodes.Cancelled);
            }
        };
        var last = new System.Collections.Concurrent.ConcurrentDictionary<string, CycleReport>(StringComparer.Ordinal);
        if (context.Interactive)
        {
            Console.CancelKeyPress += again;
        }

        try
        {
            var several = runs.Count > 1;
            await view.RunAsync(async show => (await Task.WhenAll(runs.Select(run => run.Loop.RunAsync(
                (report, next) =>
                {
                    last[run.Scope.Name] = report;
                    return show(report, next);
                },
                run.Scenario is null ? null : run.Scenario.BeforeCycleAsync, max, token,
                leaders.GetValueOrDefault(run.Scope.Name),
                lease => view.NoteAsync($"{(several ? $"[{run.Scope.Name}] " : "")}standing by: {lease.Holder} leads (fencing token {lease.Token}); this replica takes over if it stops."))))
                .ConfigureAwait(false)).Sum()).ConfigureAwait(false);
        }
        finally
        {
            if (context.Interactive)
            {
                Console.CancelKeyPress -= again;
            }
        }

        return last;
    }

    /// <summary><c>--metrics-port</c>: a Prometheus endpoint for the life of the watch.</summary>
    private OpenTelemetry.Metrics.MeterProvider StartMetrics(string endpoint)
    {
        var (host, portText) = endpoint.LastIndexOf(':') is var colon and > 0 ? (endpoint[..colon], endpoint[(colon + 1)..]) : ("localhost", endpoint);
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || host.Length == 0)
        {
            throw new ConfigurationException($"--metrics-port must be PORT or HOST:PORT with a port from 1 to 65535, got '{endpoint}'.");
        }

        host = host is "0.0.0.0" or "::" or "[::]" ? "*" : host;
        OpenTelemetry.Metrics.MeterProvider provider;
        try
        {
            provider = OpenTelemetry.Sdk.CreateMeterProviderBuilder().SetResourceBuilder(Telemetry.Resource()).AddMeter(Telemetry.Names)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = host;
                    o.Port = port;
                }).Build();
        }
        catch (Exception ex) when (ex is System.Net.HttpListenerException or InvalidOperationException)
        {
            throw new ConfigurationException($"--metrics-port {endpoint}: cannot listen there ({ex.Message}).");
        }

        Context.Error.WriteLine($"Prometheus metrics on http://{(host == "*" ? "0.0.0.0" : host)}:{port}/metrics");
        return provider;
    }

    /// <summary>After the loops: each cluster's trail checked against its own guards, the demo's next steps, the exit code.</summary>
    private async Task<int> FinishAsync(CommandSession session, IReadOnlyList<ClusterScopes.Scope> scopes, bool demo, int? max, IReadOnlyDictionary<string, CycleReport> last, Autonomy autonomy)
    {
        var context = Context;
        if (demo || max is not 1)
        {
            var clean = true;
            var whole = session.Get<AuditStore>();
            var chain = await AuditChain.VerifyAsync(whole, CancellationToken.None, full: false).ConfigureAwait(false);
            var since = TrailCheck.Since(chain, session.Get<GuardPolicy>().Options, session.Get<ActionOptions>());
            foreach (var scope in scopes)
            {
                var check = await scope.Services.GetRequiredService<AuditCheck>().RunAsync(since, CancellationToken.None, chain).ConfigureAwait(false);
                var text = TrailText.Check(check, scope.Services.GetRequiredService<AuditStore>().Path);
                await context.Error.WriteLineAsync(scopes.Count > 1 ? $"[{scope.Name}] {text}" : text).ConfigureAwait(false);
                clean &= check.Clean;
            }

            if (!clean)
            {
                return ExitCodes.AuditViolation;
            }

            TrailCheck.Verified(whole, chain);

            if (demo)
            {
                // Where to go from here: the trail the demo wrote is the user's to explore.
                var trail = Identifiers.ShellQuote(session.Get<AuditStore>().Path);
                var waiting = 0;
                foreach (var scope in scopes)
                {
                    waiting += (await scope.Services.GetRequiredService<ActionQueue>().ListAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false))
                        .Count(r => r.State == ProposalState.AwaitingApproval);
                }

                await context.Error.WriteLineAsync(DemoNext(trail, waiting, autonomy)).ConfigureAwait(false);
            }
        }

        return last.Values.Any(r => r.Failure is not null) ? ExitCodes.Failure
            : max is 1 && last.Values.Any(r => r.Outage is not null) ? ExitCodes.VgacUnavailable
            : ExitCodes.Success;
    }

    /// <summary>Where a demo goes from here: the trail to explore, and how a waiting proposal comes to run.</summary>
    internal static string DemoNext(string trail, int waiting, Autonomy autonomy)
    {
        var text = new System.Text.StringBuilder();
        if (waiting > 0)
        {
            text.AppendLine(autonomy == Autonomy.Off
                ? $"{Core.Text.Words.Count(waiting, "proposal")} {(waiting == 1 ? "awaits" : "await")} a person: with --autonomy off (the default) nothing runs by itself. Approve one below, or run the demo with --autonomy notify (tiers 1-2 run when the guards allow) or full."
                : $"{Core.Text.Words.Count(waiting, "proposal")} {(waiting == 1 ? "awaits" : "await")} a person: tiers above what --autonomy {autonomy.ToString().ToLowerInvariant()} runs by itself.");
        }

        text.AppendLine("Next:");
        if (waiting > 0)
        {
            text.AppendLine("  vgac actions list --demo                      # what awaits a decision, with each proposal's id");
            text.AppendLine("  vgac actions approve ID --demo               # the guards asked again against the demo's VGAC, then it runs");
        }

        text.AppendLine($"  vgac audit --audit-db {trail}                 # everything the day recorded, every cluster");
        text.AppendLine($"  vgac audit --audit-db {trail} --check         # every executed action re-checked against its cluster's guards");
        text.Append($"  vgac actions list --all --audit-db {trail}    # the proposals and where each stands");
        return text.ToString();
    }

    /// <summary>
    /// The watch's flags as configuration keys. Evaluated by <see cref="CommandHost"/> inside its error handling, so
    /// a bad value is the same one-line message and exit 2 as any other configuration error.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> WatchSettings(ParseResult parse, bool demo, IReadOnlyDictionary<string, string> environment)
    {
        if (parse.GetValue(WatchOptionsFlags.Interval) is { } text)
        {
            yield return new("Watch:IntervalSeconds", Durations.Parse(text, "--interval").TotalSeconds.ToString(CultureInfo.InvariantCulture));
        }
        else if (demo)
        {
            yield return new("Watch:IntervalSeconds", "1");
        }

        if (parse.GetValue(WatchOptionsFlags.Autonomy) is { } level)
        {
            yield return new("Watch:Autonomy", level is "off" or "notify" or "full"
                ? level
                : throw new ConfigurationException($"--autonomy must be off, notify or full, got '{level}'."));
        }

        _ = WatchOptionsFlags.SimStepOf(parse); // checked before the demo simulator starts, not after

        if (parse.GetValue(WatchOptionsFlags.Cycles) is < 1)
        {
            throw new ConfigurationException($"--cycles must be at least 1, got {parse.GetValue(WatchOptionsFlags.Cycles)}.");
        }

        foreach (var setting in AuditTrail.Settings(parse, demo, environment))
        {
            yield return setting;
        }

        if (demo)
        {
            // The demo drives the simulated clock itself, one step per cycle, from its own start (Monday 14:00 of the
            // simulated week: a calm afternoon, so the drift it injects is the drift the cycles show). Its own audit
            // covers the last 300 finished jobs (about 15 simulated hours) so the drift shows within the day, and short
            // backoffs let the outage hour pass in seconds.
            yield return new("Simulator:Speed", "0");
            yield return new("Simulator:WarmupHours", WatchDemoStartHours.ToString(CultureInfo.InvariantCulture));
            yield return new("Watch:CalibrationAuditJobs", WatchDemoAuditJobs.ToString(CultureInfo.InvariantCulture));
            yield return new("Watch:MaxBackoffSeconds", "4");
        }
    }

}
