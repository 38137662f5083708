using System.CommandLine;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Watch;
using Vgac.Copilot.Watch.Actions;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac actions list|show|approve|reject</c>: the approval queue over the audit trail.</summary>
internal static class ActionsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("actions", "The approval queue: proposals from 'vgac watch', and a person's approve or reject.");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Decide(context, approve: true));
        command.Subcommands.Add(Decide(context, approve: false));
        command.Subcommands.Add(Apply(context));
        return command;
    }

    private static Command Apply(CliContext context)
    {
        var job = new Argument<string>("job") { Description = "The pending job's id." };
        var tier = new Option<int>("--tier") { Description = "The tier whose action to apply (1 annotate, 2 warn, 3 suggest, 4 gate).", Required = true, HelpName = "1-4" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail.", HelpName = "text" };
        var format = Format();
        var command = new Command("apply", "Apply a tier's action to a pending job now: proposed, checked by the guards past every cache, run at most once per job and tier in the dedupe window; exit 7 if it does not run.")
        {
            job, tier, reason, format, WatchCommands.AuditDb,
        };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            var who = Environment.UserName is { Length: > 0 } user ? user : "unknown";
            var result = await session.Get<ActionQueue>().ApplyAsync(parse.GetValue(job)!, parse.GetValue(tier), who, parse.GetValue(reason), token).ConfigureAwait(false);
            await session.Out.WriteLineAsync(parse.GetValue(format) == "json"
                ? System.Text.Json.JsonSerializer.Serialize(result, Plugins.Catalog.PluginJson.Options)
                : $"{result.ProposalId}: {result.Outcome.Replace('_', ' ')}: {result.Reason}").ConfigureAwait(false);
            return result.Executed ? ExitCodes.Success : ExitCodes.ActionRefused;
        }, ct, connectsToVgac: true, settings: WatchCommands.AuditSettings(parse, demo: false)));
        return command;
    }

    private static Option<string> Format() => Output.OutputFormat.Create();

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Every proposal, not only those awaiting approval." };
        var format = Format();
        var command = new Command("list", "Proposals awaiting approval (with --all: every proposal and where it stands), oldest first.") { all, format, WatchCommands.AuditDb };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            if (!session.Get<AuditStore>().Exists)
            {
                await session.Out.WriteLineAsync($"No audit trail at {session.Get<AuditStore>().Path} yet: 'vgac watch' makes proposals.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var records = (await session.Get<ActionQueue>().ListAsync(cancellationToken: token).ConfigureAwait(false))
                .Where(r => parse.GetValue(all) || r.State == ProposalStates.AwaitingApproval).ToList();
            if (parse.GetValue(format) == "json")
            {
                foreach (var r in records)
                {
                    await session.Out.WriteLineAsync(WatchJson.Serialize(r with { History = [] })).ConfigureAwait(false);
                }
            }
            else if (records.Count == 0)
            {
                await session.Out.WriteLineAsync(parse.GetValue(all) ? "No proposals in the audit trail yet: 'vgac watch' makes them." : "Nothing awaits approval.").ConfigureAwait(false);
            }
            else
            {
                foreach (var r in records)
                {
                    await session.Out.WriteLineAsync(TrailText.Row(r)).ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }, ct, connectsToVgac: false, settings: WatchCommands.AuditSettings(parse, demo: false)));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The proposal id (from 'vgac actions list')." };
        var format = Format();
        var command = new Command("show", "A proposal in full: guard verdict, prediction, exact preview, and every record about it.") { id, format, WatchCommands.AuditDb };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            var record = await session.Get<ActionQueue>().FindAsync(parse.GetValue(id)!, token).ConfigureAwait(false);
            await session.Out.WriteLineAsync(parse.GetValue(format) == "json" ? WatchJson.Serialize(record) : TrailText.Detail(record)).ConfigureAwait(false);
            return ExitCodes.Success;
        }, ct, connectsToVgac: false, settings: WatchCommands.AuditSettings(parse, demo: false)));
        return command;
    }

    private static Command Decide(CliContext context, bool approve)
    {
        var id = new Argument<string>("id") { Description = "The proposal id (from 'vgac actions list')." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail.", HelpName = "text" };
        var format = Format();
        var command = approve
            ? new Command("approve", "Approve and run a proposal. The guards are checked again on a fresh prediction and calibration first; exit 7 if it does not run.") { id, reason, format, WatchCommands.AuditDb }
            : new Command("reject", "Reject a proposal; it will not run.") { id, reason, format, WatchCommands.AuditDb };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            var queue = session.Get<ActionQueue>();
            var who = Environment.UserName is { Length: > 0 } user ? user : "unknown";
            var json = parse.GetValue(format) == "json";
            if (!approve)
            {
                var rejected = await queue.RejectAsync(parse.GetValue(id)!, who, parse.GetValue(reason), token).ConfigureAwait(false);
                await session.Out.WriteLineAsync(json ? WatchJson.Serialize(rejected with { History = [] }) : $"{rejected.Proposal.ProposalId}: rejected; it will not run.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var run = await queue.ApproveAsync(parse.GetValue(id)!, who, parse.GetValue(reason), token).ConfigureAwait(false);
            await session.Out.WriteLineAsync(json ? WatchJson.Serialize(run) : $"{run.ProposalId}: {run.State.Replace('_', ' ')}: {run.Detail}").ConfigureAwait(false);
            return run.State == ProposalStates.Executed ? ExitCodes.Success : ExitCodes.ActionRefused;
        }, ct, connectsToVgac: approve, settings: WatchCommands.AuditSettings(parse, demo: false)));
        return command;
    }
}
