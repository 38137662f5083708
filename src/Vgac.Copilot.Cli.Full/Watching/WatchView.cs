using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Vgac.Copilot.Watch;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>How cycles are shown: one line each, JSON lines, or a live status view at a terminal.</summary>
internal abstract class WatchView
{
    protected long Proposed { get; private set; }

    protected long Executed { get; private set; }

    protected long Outages { get; private set; }

    public static WatchView Create(string format, CliContext context) => format switch
    {
        "json" => new JsonLines(context.Out, context.Error),
        _ when context.Interactive => new Live(context.Secrets),
        _ => new Lines(context.Out, context.Error),
    };

    /// <summary>A remark beside the cycles (the demo's narration): on stderr, or inside the live view.</summary>
    public abstract Task NoteAsync(string text);

    /// <summary>Runs the loop inside the view (the live view owns the terminal while it runs).</summary>
    public virtual Task<long> RunAsync(Func<Func<CycleReport, NextCycle, Task>, Task<long>> loop) => loop(ShowAsync);

    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Shows a cycle; several clusters' loops call it at once, and their cycles are shown one at a time.</summary>
    public async Task ShowAsync(CycleReport report, NextCycle next)
    {
        await _one.WaitAsync().ConfigureAwait(false);
        try
        {
            Proposed += report.Proposals.Count;
            Executed += report.Executions.Count(e => e.State == ProposalState.Executed);
            Outages += report.Outage is null ? 0 : 1;
            await ShowCoreAsync(report, next).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>"[eks] " before a cycle's line when clusters are named; nothing for the single-VGAC setup.</summary>
    internal static string Who(CycleReport r) => r.Cluster == AuditStore.DefaultCluster ? "" : $"[{r.Cluster}] ";

    protected abstract Task ShowCoreAsync(CycleReport report, NextCycle next);

    internal static string Line(CycleReport r, NextCycle next) => Who(r) + (r.Failure is { } failure
        ? string.Create(CultureInfo.InvariantCulture, $"cycle failed{(r.Recorded is { } recorded ? $" after recording {recorded} (a start left without an outcome is closed as interrupted by the next cycle)" : ", nothing recorded, proposed or run")}: {failure} (details in the log file){(next.Last ? "" : $"; retrying in {next.Delay.TotalSeconds:0.#} s")}")
        : r.Outage is { } outage
        ? string.Create(CultureInfo.InvariantCulture, $"cycle {r.Cycle}: VGAC outage, nothing proposed or run: {outage}{(next.Last ? "" : $"; backing off {next.Delay.TotalSeconds:0.#} s")}")
        : string.Create(CultureInfo.InvariantCulture,
            $"cycle {r.Cycle}: {r.Observation!.Cluster.GpusAvailable}/{r.Observation.Cluster.GpusTotal} GPUs free, {r.Observation.Cluster.JobsPending} pending, {Core.Text.Words.Count(r.Observation.Findings.Count, "finding")}; drift {Drift(r)}; {r.Predicted} scored, {r.Proposals.Count} proposed ({Core.Text.Words.Count(r.SkippedDuplicates, "duplicate")} skipped), {r.Executions.Count(e => e.State == ProposalState.Executed)} run, {r.Verified} verified"));

    internal static string Drift(CycleReport r) => r.Calibration is { } c
        ? string.Create(CultureInfo.InvariantCulture,
            $"{c.Drift.Wire()} (ECE {c.EffectiveEce:0.000}{(c.JudgedEce < c.EffectiveEce ? $", judged on {c.JudgedEce:0.000}" : "")}, ratio {c.DriftRatio:0.0}x{(c.Psi is { } psi ? $", PSI {psi:0.00}" : "")})")
        : "unknown";

    private sealed class Lines(TextWriter output, TextWriter notes) : WatchView
    {
        /// <summary>Proposals listed per cycle; the rest are counted (the audit trail and <c>vgac actions list</c> have them all).</summary>
        private const int ShownProposals = 5;

        public override Task NoteAsync(string text) => notes.WriteLineAsync(text);

        protected override async Task ShowCoreAsync(CycleReport report, NextCycle next)
        {
            await output.WriteLineAsync(Line(report, next)).ConfigureAwait(false);
            // Those that ran or failed first: they matter more than another proposal waiting.
            var ordered = report.Proposals
                .Select(p => (Proposal: p, Run: report.Executions.FirstOrDefault(e => e.ProposalId == p.ProposalId)))
                .OrderBy(x => x.Run is null ? 1 : 0)
                .ToList();
            foreach (var (p, run) in ordered.Take(ShownProposals))
            {
                var state = !p.Allowed ? $"blocked ({p.Rule})" : run is null ? "awaiting approval" : $"{run.State.Spoken()} ({run.Detail})";
                await output.WriteLineAsync($"  {p.ProposalId} {p.Action} {p.JobId} tier {p.Tier}: {state}").ConfigureAwait(false);
            }

            if (ordered.Count > ShownProposals)
            {
                await output.WriteLineAsync($"  ... and {ordered.Count - ShownProposals} more proposals, all in the audit trail").ConfigureAwait(false);
            }
        }
    }

    private sealed class JsonLines(TextWriter output, TextWriter notes) : WatchView
    {
        public override Task NoteAsync(string text) => notes.WriteLineAsync(text);

        protected override Task ShowCoreAsync(CycleReport report, NextCycle next) => output.WriteLineAsync(WatchJson.Records.Serialize(report));
    }

    /// <summary>A status panel redrawn after every cycle (Spectre.Console live display).</summary>
    private sealed class Live(Core.Text.SecretRedactor secrets) : WatchView
    {
        private readonly Queue<string[]> _recent = new();
        private readonly Queue<string> _notes = new();
        private LiveDisplayContext? _context;
        private readonly IRenderable _view = new Markup("[grey]starting the first cycle…[/]");

        public override async Task<long> RunAsync(Func<Func<CycleReport, NextCycle, Task>, Task<long>> loop)
        {
            long ran = 0;
            await new Output.InertConsole(AnsiConsole.Console, secrets).Live(new Rows(_view)).AutoClear(false).StartAsync(async context =>
            {
                _context = context;
                ran = await loop(ShowAsync).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ran;
        }

        public override Task NoteAsync(string text)
        {
            _notes.Enqueue(text);
            if (_notes.Count > 4)
            {
                _notes.Dequeue();
            }

            return Task.CompletedTask;
        }

        private readonly Dictionary<string, (CycleReport Report, NextCycle Next)> _latest = new(StringComparer.Ordinal);

        protected override Task ShowCoreAsync(CycleReport report, NextCycle next)
        {
            _latest[report.Cluster] = (report, next);
            var several = _latest.Count > 1 || report.Cluster != AuditStore.DefaultCluster;
            foreach (var p in report.Proposals)
            {
                var run = report.Executions.FirstOrDefault(e => e.ProposalId == p.ProposalId);
                _recent.Enqueue([report.Cluster, report.Cycle.ToString(CultureInfo.InvariantCulture), p.ProposalId, p.JobId, $"{p.Tier} {p.Action}",
                    !p.Allowed ? $"[red]blocked[/] {Markup.Escape(p.Rule)}" : run is null ? "[yellow]awaiting approval[/]" : $"[green]{run.State.Spoken()}[/]"]);
                if (_recent.Count > 8)
                {
                    _recent.Dequeue();
                }
            }

            // One panel per cluster, each with its own VGAC, calibration and autonomy: one cluster's trouble is shown as its own.
            var panels = new List<IRenderable>();
            foreach (var (cluster, (last, upcoming)) in _latest)
            {
                var status = Status(last, upcoming);
                if (cluster == _latest.Keys.Last())
                {
                    foreach (var note in _notes)
                    {
                        status.AddRow("[blue]event[/]", Markup.Escape(note));
                    }

                    status.AddRow("[bold]totals[/]", string.Create(CultureInfo.InvariantCulture, $"{Proposed} proposed, {Executed} run, {Outages} outage cycles"));
                }

                panels.Add(new Panel(status).Header(several ? $"vgac watch: {Markup.Escape(cluster)}" : "vgac watch").Expand());
            }

            var table = new Table().Border(TableBorder.Rounded).Title("recent proposals");
            foreach (var column in (several ? new[] { "cluster" } : []).Concat(["cycle", "id", "job", "tier", "state"]))
            {
                table.AddColumn(column);
            }

            foreach (var row in _recent)
            {
                table.AddRow(several ? row : row[1..]);
            }

            panels.Add(table);
            panels.Add(new Markup("[grey]Ctrl+C stops after the current cycle.[/]"));
            _context?.UpdateTarget(new Rows(panels));
            return Task.CompletedTask;
        }

        private static Grid Status(CycleReport report, NextCycle next)
        {
            var status = new Grid().AddColumn().AddColumn();
            status.AddRow("[bold]cycle[/]", string.Create(CultureInfo.InvariantCulture, $"{report.Cycle} at {report.At.ToLocalTime():HH:mm:ss}; {(next.Last ? "the last cycle" : $"next in {next.Delay.TotalSeconds:0} s{(next.BackingOff ? " [red](backing off)[/]" : "")}")}"));
            status.AddRow("[bold]VGAC[/]", report.Outage is { } o ? $"[red]unavailable[/]: {Markup.Escape(o)}" : report.Failure is null ? "[green]ok[/]" : "[grey]not reached[/]");
            if (report.Failure is { } failure)
            {
                status.AddRow("[red]failed[/]", Markup.Escape(failure + " (details in the log file)"));
            }

            if (report.Observation is { } obs)
            {
                status.AddRow("[bold]cluster[/]", string.Create(CultureInfo.InvariantCulture, $"{obs.Cluster.GpusAvailable}/{obs.Cluster.GpusTotal} GPUs free, {obs.Cluster.JobsPending} pending, {obs.Cluster.JobsRunning} running"));
                foreach (var f in obs.Findings.Take(4))
                {
                    status.AddRow(f.Severity == "warning" ? "[yellow]finding[/]" : "[grey]finding[/]", Markup.Escape(f.Detail));
                }
            }

            status.AddRow("[bold]calibration[/]", Markup.Escape(Drift(report)));
            status.AddRow("[bold]autonomy[/]", report.Autonomy.Wire());
            return status;
        }
    }
}
