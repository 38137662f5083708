using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Watch;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac watch --once</c> (one cycle of the agents) and <c>vgac audit</c> (read the audit trail).</summary>
internal static class WatchCommands
{
    public static Command Watch(CliContext context)
    {
        var once = new Option<bool>("--once") { Description = "Run one cycle and exit (the continuous loop is not built yet)." };
        var format = new Option<string>("--format", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text", HelpName = "text|json" };
        var command = new Command("watch", "Run the agents' cycle: observe, judge calibration, score pending jobs, propose actions (dry run), audit.") { once, format };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            if (!parse.GetValue(once))
            {
                throw new ConfigurationException("only --once is available so far: the continuous loop, executors and approvals are still being built.");
            }

            var report = await session.Get<WatchCycle>().RunOnceAsync(token).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                await session.Out.WriteLineAsync(JsonSerializer.Serialize(report, PluginJson.Options.GetTypeInfo(typeof(CycleReport)))).ConfigureAwait(false);
            }
            else if (report.Outage is { } outage)
            {
                await session.Out.WriteLineAsync($"cycle {report.Cycle}: VGAC outage, nothing proposed: {outage}").ConfigureAwait(false);
            }
            else
            {
                await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"cycle {report.Cycle}: {report.GpusFree} GPUs free, {report.JobsPending} pending, {report.Anomalies.Count} findings, drift {report.Drift}, {report.Predicted} jobs scored, {report.Proposals.Count} proposals ({report.SkippedDuplicates} duplicates skipped)")).ConfigureAwait(false);
                foreach (var p in report.Proposals)
                {
                    await session.Out.WriteLineAsync($"  {p.ProposalId} {p.Action} {p.JobId} tier {p.Tier}: {p.Rule}; preview: {p.Preview}").ConfigureAwait(false);
                }
            }

            return report.Outage is null ? ExitCodes.Success : ExitCodes.VgacUnavailable;
        }, ct));
        return command;
    }

    public static Command Audit(CliContext context)
    {
        var sinceHours = new Option<double?>("--since-hours") { Description = "Only records from the last N hours.", HelpName = "hours" };
        var job = new Option<string?>("--job") { Description = "Only records about this job.", HelpName = "id" };
        var format = new Option<string>("--format", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text", HelpName = "text|json" };
        var command = new Command("audit", "Read the audit trail: observations, calibration, proposals and outages, oldest first.") { sinceHours, job, format };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            DateTimeOffset? since = parse.GetValue(sinceHours) is { } h ? DateTimeOffset.UtcNow.AddHours(-h) : null;
            var events = await session.Get<AuditStore>().QueryAsync(since, parse.GetValue(job), cancellationToken: token).ConfigureAwait(false);
            foreach (var e in events)
            {
                await session.Out.WriteLineAsync(parse.GetValue(format) == "json"
                    ? JsonSerializer.Serialize(e, PluginJson.Options.GetTypeInfo(typeof(AuditEvent)))
                    : string.Create(CultureInfo.InvariantCulture, $"{e.At:u} #{e.Cycle} {e.Kind,-18} {e.JobId ?? "-",-12} {e.Summary}")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, ct, connectsToVgac: false));
        return command;
    }
}
