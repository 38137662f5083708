using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac actions list|show|approve|reject|apply</c>: the approval queue over the audit trail.</summary>
internal sealed class ActionsCommand(
    ActionsListCommand list, ActionsShowCommand show, ActionsApproveCommand approve, ActionsRejectCommand reject, ActionsApplyCommand apply, ActionsReleaseCommand release)
    : CommandGroup("actions", "The approval queue: proposals from 'vgac watch', and a person's approve or reject.", list, show, approve, reject, apply, release);

/// <summary>What every <c>vgac actions</c> command shares: the audit trail (<c>--audit-db</c>), <c>--format</c>, who is acting.</summary>
internal abstract class ActionsCommandBase : VgacCommand
{
    protected ActionsCommandBase(CliContext context, string name, string description, CommandNeeds needs = CommandNeeds.None)
        : base(context, name, description, needs)
    {
        AddFormat();
        Options.Add(AuditTrail.Option);
        Options.Add(AuditTrail.LatestDemo);
    }

    /// <summary>The person acting, for the audit trail.</summary>
    protected static string Who => Environment.UserName is { Length: > 0 } user ? user : "unknown";

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) =>
        AuditTrail.Settings(parse, demo: false, Context.Environment, actsOnDemo: ConnectsToVgac(parse) ? Context.Host.Demo : null, DecidedOn(parse));

    /// <summary>The one proposal this run decides on, if it names one.</summary>
    protected virtual string? DecidedOn(ParseResult parse) => null;

    protected static Argument<string> ProposalId() => new("id") { Description = "The proposal id (from 'vgac actions list')." };

    protected static Option<string?> Reason() => new("--reason") { Description = "Why, for the audit trail.", HelpName = "text" };
}

/// <summary><c>vgac actions apply JOB --tier N</c>: a person applies a tier's action now.</summary>
internal sealed class ActionsApplyCommand : ActionsCommandBase
{
    private readonly Argument<string> job = new("job") { Description = "The pending job's id." };
    private readonly Option<int> tier = new("--tier") { Description = "The tier whose action to apply (1 annotate, 2 warn, 3 suggest, 4 gate).", Required = true, HelpName = "1-4" };
    private readonly Option<string?> reason = Reason();

    public ActionsApplyCommand(CliContext context)
        : base(context, "apply", "Apply a tier's action to a pending job now: proposed, checked by the guards past every cache, run at most once per job and tier in the dedupe window; exit 7 if it does not run.", CommandNeeds.Vgac | CommandNeeds.Executor)
    {
        Add(job);
        Add(tier);
        Add(reason);
        Examples = [("vgac actions apply job-42 --tier 1 --reason \"label it for the on-call\"", "annotate one pending job, if the guards allow tier 1")];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        session.Clusters.RequireConfiguredVgac("vgac actions apply");
        var approval = new CommandApproval(parse.GetValue(job)!, parse.GetValue(tier), Who, parse.GetValue(reason));
        var result = ApplyResult.Of(await session.Get<ActionQueue>().ApproveAsync(approval, token).ConfigureAwait(false), approval);
        await session.Out.WriteLineAsync(IsJson(parse)
            ? ActionsJson.Records.Serialize(result)
            : $"{result.ProposalId}: {result.Outcome.Replace('_', ' ')}: {result.Reason}").ConfigureAwait(false);
        return result.Executed ? ExitCodes.Success : ExitCodes.ActionRefused;
    }
}

/// <summary><c>vgac actions release JOB</c>: a person lifts a gate vgac ran on a job.</summary>
internal sealed class ActionsReleaseCommand : ActionsCommandBase
{
    private readonly Argument<string> job = new("job") { Description = "The gated job's id." };
    private readonly Option<string?> reason = Reason();

    public ActionsReleaseCommand(CliContext context)
        : base(context, "release", "Lift a gate vgac ran on a job (a Slurm hold, a suspended Kubernetes Job): recorded in the audit trail like any action, run at most once; exit 8 if vgac holds no gate on the job, 7 if it does not run.", CommandNeeds.Executor)
    {
        Add(job);
        Add(reason);
        Examples = [("vgac actions release 4211 --reason \"checked with the owner\"", "release the hold vgac put on Slurm job 4211")];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        var approval = new ReleaseApproval(parse.GetValue(job)!, Who, parse.GetValue(reason));
        var result = ApplyResult.Of(await session.Get<ActionQueue>().ApproveAsync(approval, token).ConfigureAwait(false), approval);
        await session.Out.WriteLineAsync(IsJson(parse)
            ? ActionsJson.Records.Serialize(result)
            : $"{result.ProposalId}: {result.Outcome.Replace('_', ' ')}: {result.Reason}").ConfigureAwait(false);
        return result.Executed ? ExitCodes.Success : ExitCodes.ActionRefused;
    }
}

/// <summary><c>vgac actions list</c>: what awaits approval.</summary>
internal sealed class ActionsListCommand : ActionsCommandBase
{
    private readonly Option<bool> all = new("--all") { Description = "Every proposal, not only those awaiting approval." };

    public ActionsListCommand(CliContext context)
        : base(context, "list", "Proposals awaiting approval (with --all: every proposal and where it stands), oldest first.")
    {
        Add(all);
        Examples = [("vgac actions list", "what awaits a person's decision"), ("vgac actions list --all -o json", "every proposal, one JSON object per line")];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        if (!session.Get<AuditStore>().Exists)
        {
            await session.Out.WriteLineAsync($"No audit trail at {session.Get<AuditStore>().Path} yet: 'vgac watch' makes proposals.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        // Each cluster's proposals through its own queue; merged oldest first.
        var records = new List<ProposalRecord>();
        foreach (var cluster in session.ClustersInScope(parse))
        {
            var services = await session.Clusters.ServicesAsync(cluster, token).ConfigureAwait(false);
            records.AddRange(await services.GetRequiredService<ActionQueue>().ListAsync(cancellationToken: token).ConfigureAwait(false));
        }

        records = [.. records.Where(r => parse.GetValue(all) || r.State == ProposalState.AwaitingApproval).OrderBy(r => r.ProposedAt)];
        var several = session.Clusters.Several;
        if (IsJson(parse))
        {
            foreach (var r in records)
            {
                await session.Out.WriteLineAsync(ActionsJson.Records.Serialize(r with { History = [] })).ConfigureAwait(false);
            }
        }
        else if (records.Count == 0)
        {
            await session.Out.WriteLineAsync(parse.GetValue(all) ? "No proposals in the audit trail yet: 'vgac watch' makes them." : "Nothing awaits approval.").ConfigureAwait(false);
        }
        else
        {
            var width = records.Max(r => r.Cluster.Length);
            await session.Out.WriteLineAsync((several ? "cluster".PadRight(width) + "  " : "") + TrailText.Header).ConfigureAwait(false);
            foreach (var r in records)
            {
                await session.Out.WriteLineAsync((several ? r.Cluster.PadRight(width) + "  " : "") + TrailText.Row(r)).ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>vgac actions show ID</c>: one proposal in full.</summary>
internal sealed class ActionsShowCommand : ActionsCommandBase
{
    private readonly Argument<string> id = ProposalId();

    public ActionsShowCommand(CliContext context)
        : base(context, "show", "A proposal in full: guard verdict, prediction, exact preview, and every record about it.")
    {
        Add(id);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        var services = await session.ServicesOfProposalAsync(parse.GetValue(id)!, token).ConfigureAwait(false);
        var record = await services.GetRequiredService<ActionQueue>().FindAsync(parse.GetValue(id)!, token).ConfigureAwait(false);
        await session.Out.WriteLineAsync(IsJson(parse) ? ActionsJson.Records.Serialize(record) : TrailText.Detail(record)).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>vgac actions approve|reject ID</c>, or <c>--all [--tier N] [--job ID]</c>: a person's decision, one proposal or
/// every one waiting (newest per job and tier). Each approval asks the guards again on fresh numbers first.
/// </summary>
internal abstract class ActionsDecideCommand : ActionsCommandBase
{
    private readonly bool approve;
    private readonly Argument<string?> id = new("id") { Description = "The proposal id (from 'vgac actions list'); or --all.", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> reason = Reason();
    private readonly Option<bool> all = new("--all") { Description = "Every proposal awaiting approval (with --tier and --job to narrow it)." };
    private readonly Option<int?> tier = new("--tier") { Description = "With --all: only this tier's proposals.", HelpName = "1-4" };
    private readonly Option<string?> job = new("--job") { Description = "With --all: only this job's proposals.", HelpName = "id" };

    protected ActionsDecideCommand(CliContext context, bool approve, string description)
        : base(context, approve ? "approve" : "reject", description, approve ? CommandNeeds.Vgac | CommandNeeds.Executor : CommandNeeds.None)
    {
        this.approve = approve;
        Add(id);
        Add(reason);
        Add(all);
        Add(tier);
        Add(job);
    }

    protected override string? DecidedOn(ParseResult parse) => parse.GetValue(all) ? null : parse.GetValue(id);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        if (approve)
        {
            session.Clusters.RequireConfiguredVgac("vgac actions approve");
        }

        if (parse.GetValue(all))
        {
            if (parse.GetValue(id) is not null)
            {
                throw new Composition.ConfigurationException("give a proposal id or --all, not both.");
            }

            // Each cluster's waiting proposals, each decided through its own cluster's guards.
            var results = new List<(ProposalRecord Proposal, ExecutionRecord? Run, string? Refusal)>();
            foreach (var cluster in session.ClustersInScope(parse))
            {
                var services = await session.Clusters.ServicesAsync(cluster, token).ConfigureAwait(false);
                results.AddRange(await services.GetRequiredService<ActionQueue>().DecideAllAsync(approve, parse.GetValue(tier), parse.GetValue(job), Who, parse.GetValue(reason), token).ConfigureAwait(false));
            }

            foreach (var (proposal, run, refusal) in results)
            {
                var line = IsJson(parse)
                    ? run is not null ? ActionsJson.Records.Serialize(run) : ActionsJson.Records.Serialize(proposal with { History = [] })
                    : $"{proposal.Proposal.ProposalId}: {(refusal ?? (run is null ? "rejected; it will not run." : $"{run.State.Spoken()}: {run.Detail}"))}";
                await session.Out.WriteLineAsync(line).ConfigureAwait(false);
            }

            var done = results.Count(r => r.Refusal is null && (r.Run is null || r.Run.State == ProposalState.Executed));
            if (!IsJson(parse))
            {
                await session.Context.Error.WriteLineAsync(results.Count == 0
                    ? "Nothing awaits approval."
                    : $"{Core.Text.Words.Count(done, "proposal")} {(approve ? "approved and run" : "rejected")}, {Core.Text.Words.Count(results.Count - done, "other")} not{(approve ? " run" : "")}.").ConfigureAwait(false);
            }

            return done == results.Count ? ExitCodes.Success : ExitCodes.ActionRefused;
        }

        var proposalId = parse.GetValue(id) ?? throw new Composition.ConfigurationException($"give the proposal id to {Name} (from 'vgac actions list'), or --all.");
        if (parse.GetValue(tier) is not null || parse.GetValue(job) is not null)
        {
            throw new Composition.ConfigurationException("--tier and --job narrow --all; with a proposal id they are not needed.");
        }

        var queue = (await session.ServicesOfProposalAsync(proposalId, token).ConfigureAwait(false)).GetRequiredService<ActionQueue>();
        if (!approve)
        {
            var rejected = await queue.RejectAsync(proposalId, Who, parse.GetValue(reason), token).ConfigureAwait(false);
            await session.Out.WriteLineAsync(IsJson(parse) ? ActionsJson.Records.Serialize(rejected with { History = [] }) : $"{rejected.Proposal.ProposalId}: rejected; it will not run.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        if (parse.GetResult(AuditTrail.LatestDemo) is not null && parse.GetValue(AuditTrail.LatestDemo))
        {
            await DemoAtProposalAsync(session, proposalId, token).ConfigureAwait(false);
        }

        var executed = await queue.ApproveAsync(new QueuedApproval(proposalId, Who, parse.GetValue(reason)), token).ConfigureAwait(false);
        await session.Out.WriteLineAsync(IsJson(parse) ? ActionsJson.Records.Serialize(executed) : $"{executed.ProposalId}: {executed.State.Spoken()}: {executed.Detail}").ConfigureAwait(false);
        return executed.State == ProposalState.Executed ? ExitCodes.Success : ExitCodes.ActionRefused;
    }
    /// <summary>
    /// A demo proposal decided on: its cluster's simulator was started at the proposal's time; the day of trouble
    /// (played on the demo's first cluster) is brought to where it stood then, so the guards are asked again on the
    /// numbers of that moment.
    /// </summary>
    private static async Task DemoAtProposalAsync(CommandSession session, string proposalId, CancellationToken token)
    {
        var services = await session.ServicesOfProposalAsync(proposalId, token).ConfigureAwait(false);
        var configuration = services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        var store = services.GetRequiredService<AuditStore>();
        if (configuration["Cluster:Name"] != session.Clusters.Clusters[0].Name || configuration["Vgac:BaseUrl"] is not { } url
            || Storage.Sqlite.SqliteAuditBackend.NewestRecordAt(store.Path, proposalId) is not { } made)
        {
            return;
        }

        await session.Demo.CatchUpAsync(new Uri(url), made).ConfigureAwait(false);
    }
}

/// <summary><c>vgac actions approve ID</c> (or <c>--all</c>): a person's yes, after the guards are asked again on fresh numbers.</summary>
internal sealed class ActionsApproveCommand(CliContext context)
    : ActionsDecideCommand(context, approve: true, "Approve and run a proposal (or --all waiting). The guards are checked again on a fresh prediction and calibration first; exit 7 if one does not run.");

/// <summary><c>vgac actions reject ID</c> (or <c>--all</c>): a person's no.</summary>
internal sealed class ActionsRejectCommand(CliContext context)
    : ActionsDecideCommand(context, approve: false, "Reject a proposal (or --all waiting); it will not run.");
