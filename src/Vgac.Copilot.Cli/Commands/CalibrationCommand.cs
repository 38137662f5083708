using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vgac.Copilot.Calibration;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Output;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac calibration audit|psi</c>: is the model still calibrated, and which tiers does it earn?</summary>
internal sealed class CalibrationCommand(CalibrationAuditCommand audit, CalibrationPsiCommand psi)
    : CommandGroup("calibration", "Audit calibration: ECE/MCE, Brier decomposition, AUROC, tiers and SLOs, from a file or a live VGAC.", audit, psi);

/// <summary><c>vgac calibration audit</c>: a file of predictions and outcomes, or the live model, judged once.</summary>
internal sealed class CalibrationAuditCommand : VgacCommand
{
    private readonly Option<string?> input = new("--input", "-i") { Description = "CSV of predictions and outcomes.", HelpName = "file.csv" };
    private readonly Option<bool> live = new("--live") { Description = "Audit the model behind VGAC from its job history (prediction at submit vs outcome)." };
    private readonly Option<string> probability = new("--prob-column") { Description = "Column of predicted probabilities.", DefaultValueFactory = _ => "raw_score", HelpName = "name" };
    private readonly Option<string> label = new("--label-column") { Description = "Column of 0/1 outcomes.", DefaultValueFactory = _ => "label_long_wait", HelpName = "name" };
    private readonly Option<int> bins = new("--bins") { Description = "Equal-mass bins.", DefaultValueFactory = _ => CalibrationStatistics.DefaultBins, HelpName = "n" };
    private readonly Option<string?> plot = new("--plot") { Description = "Write a reliability diagram to this SVG file (opens in any browser).", HelpName = "file.svg" };
    private readonly Option<bool> failOnSlo = new("--fail-on-slo") { Description = "Exit 12 when any calibration SLO fails (for CI and cron)." };

    public CalibrationAuditCommand(CliContext context)
        : base(context, "audit", "Audit a CSV of predictions and outcomes (--input), or the live model (--live).", CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        foreach (var option in new Option[] { input, live, probability, label, bins, plot, failOnSlo })
        {
            Options.Add(option);
        }

        AddFormat();
        Examples =
        [
            ("vgac calibration audit -i data/vgac-samples/eks_dec_sample.csv --plot reliability.svg", "a file of predictions and outcomes, with a reliability diagram"),
            ("vgac calibration audit --live --fail-on-slo", "the live model; exit 12 when an SLO fails (for cron and CI)"),
        ];
    }

    protected override bool ConnectsToVgac(ParseResult parse) => parse.GetValue(live);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        var binCount = parse.GetValue(bins);
        if (binCount is < 1 or > 1000)
        {
            throw new ConfigurationException($"--bins must be between 1 and 1000, got {binCount}.");
        }

        if (parse.GetValue(plot) is { } target && !target.EndsWith(ReliabilityPlot.Extension, StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"--plot writes an SVG image; give a file name ending in {ReliabilityPlot.Extension}, got '{Path.GetFileName(target)}'.");
        }

        var file = parse.GetValue(input);
        if (file is null == !parse.GetValue(live))
        {
            throw new ConfigurationException("give exactly one of --input FILE.csv or --live.");
        }

        var json = parse.GetValue(Format!) == OutputFormat.Json;
        var (audit, source) = file is null
            ? await LiveAsync(session, json, token).ConfigureAwait(false)
            : await FromFileAsync(session, file, parse, binCount, json).ConfigureAwait(false);
        if (parse.GetValue(plot) is { } svg && audit is not null)
        {
            ReliabilityPlot.Save(audit, svg, source.Split(' ')[0]);
            await session.Context.Error.WriteLineAsync($"Reliability diagram written to {svg}").ConfigureAwait(false);
        }

        if (parse.GetValue(failOnSlo) && audit?.Slo.Where(s => s.Met == false).Select(s => s.Name).ToList() is { Count: > 0 } failed)
        {
            await session.Context.Error.WriteLineAsync($"vgac: {failed.Count} calibration SLO{(failed.Count == 1 ? "" : "s")} failed: {string.Join(", ", failed)}.").ConfigureAwait(false);
            return ExitCodes.SloFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>The live model audited on its recent outcomes, and written out; the audit (none when too few outcomes) and what it was made of.</summary>
    private static async Task<(CalibrationAudit? Audit, string Source)> LiveAsync(CommandSession session, bool json, CancellationToken token)
    {
        var result = await session.Get<LiveAuditor>().AuditAsync(cancellationToken: token).ConfigureAwait(false);
        var audit = result.Audit;
        var source = $"the live model at {session.Get<Client.IVgacClient>().BaseAddress} ({result.OutcomesUsed} outcomes of {result.HistoryRows} history rows)";
        if (json)
        {
            await session.Out.WriteLineAsync(JsonSerializer.Serialize(result, CoreJsonContext.Default.LiveAudit)).ConfigureAwait(false);
            return (audit, source);
        }

        // One verdict: what the guards will let act (VGAC's figure and the audit together), told once, with the
        // tiers and the drift line above it from the same standing.
        var standing = session.Get<GuardPolicy>().Standing(result.Reported.ToFacts());
        if (audit is not null)
        {
            await session.Out.WriteAsync(AuditText.Format(audit, source, verdict: null, standing)).ConfigureAwait(false);
        }

        await session.Out.WriteLineAsync($"Live: {result.Summary}").ConfigureAwait(false);
        await session.Out.WriteLineAsync($"Verdict: {standing.Line(audit?.Slo)}").ConfigureAwait(false);
        await session.Out.WriteLineAsync(WaitCoverageLine(result.WaitCoverage)).ConfigureAwait(false);
        return (audit, source);
    }

    /// <summary>A file of predictions and outcomes audited, and written out.</summary>
    private async Task<(CalibrationAudit? Audit, string Source)> FromFileAsync(CommandSession session, string file, ParseResult parse, int binCount, bool json)
    {
        var (p, y) = ProbabilityCsv.ReadPredictions(file, parse.GetValue(probability)!, parse.GetValue(label)!);
        var audit = session.Get<CalibrationAuditor>().Audit(p, y, binCount);
        var source = Path.GetFileName(file);
        await session.Out.WriteAsync(json
            ? JsonSerializer.Serialize(audit, CoreJsonContext.Default.CalibrationAudit) + Environment.NewLine
            : AuditText.Format(audit, source)).ConfigureAwait(false);
        return (audit, source);
    }

    /// <summary>The wait intervals' own audit: how they fared on the history replayed in time order.</summary>
    private static string WaitCoverageLine(Calibration.CoverageMonitor? m) => m is null
        ? "Wait intervals: not calibrated (too little job history with submit-time predictions)."
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Wait intervals ({m.Level:0%}): {m.RecentCovered} of the last {m.RecentJobs} finished jobs fell inside theirs, {m.Covered} of {m.Replayed} replayed; {(m.CanPromise ? $"quantiles now taken at {m.AdaptedLevel:0.0%} (adaptive conformal)" : "none promised until waits settle")}.");
}

/// <summary><c>vgac calibration psi</c>: has one feature's distribution shifted between two files?</summary>
internal sealed class CalibrationPsiCommand : VgacCommand
{
    private readonly Option<string> reference = new("--reference") { Description = "CSV with the reference distribution.", Required = true, HelpName = "a.csv" };
    private readonly Option<string> live = new("--live") { Description = "CSV with the live distribution.", Required = true, HelpName = "b.csv" };
    private readonly Option<string> column = new("--column") { Description = "Numeric column to compare.", Required = true, HelpName = "name" };

    public CalibrationPsiCommand(CliContext context)
        : base(context, "psi", "Population stability index of one column between two CSV files (10 reference-quantile bins, +1 smoothing).")
    {
        Add(reference);
        Add(live);
        Add(column);
        AddFormat();
        Examples = [("vgac calibration psi --reference last-month.csv --live today.csv --column pending_ratio", "is today's queue like last month's?")];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var format = Format!;
        {
            var name = parse.GetValue(column)!;
            var a = ProbabilityCsv.ReadColumn(parse.GetValue(reference)!, name);
            var b = ProbabilityCsv.ReadColumn(parse.GetValue(live)!, name);
            var psi = CalibrationExtras.Psi(a, b);
            var limit = session.Get<GuardPolicy>().Options.Slo.MaxPsi;
            var met = psi < limit;
            var verdict = string.Create(CultureInfo.InvariantCulture, $"PSI {psi:0.0000} {(met ? "<" : ">=")} {limit:0.00}: {(met ? "stable" : "the distribution has shifted")}");
            var result = new PsiResult(name, a.Length, b.Length, psi, limit, met, verdict);
            await session.Out.WriteLineAsync(parse.IsJson(format)
                ? JsonSerializer.Serialize(result, CoreJsonContext.Default.PsiResult)
                : string.Create(CultureInfo.InvariantCulture, $"{name}: reference n={a.Length}, live n={b.Length}\n{verdict}")).ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }
}
