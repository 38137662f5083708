using Vgac.Copilot.Client;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions;

/// <summary>Why a decision on a proposal was not taken: unknown id, or not in a state that accepts it.</summary>
public sealed class ActionQueueException(string message, bool notFound = false, bool vgacUnavailable = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;

    /// <summary>VGAC could not be asked; nothing was decided or recorded, and the same command may be tried again.</summary>
    public bool VgacUnavailable { get; } = vgacUnavailable;
}

/// <summary>A person's decision, stored with <c>approval</c> and <c>rejection</c> records.</summary>
public sealed record DecisionRecord(string ProposalId, string DecidedBy, string? Reason);

/// <summary>
/// The approval queue over the audit trail: proposals and where they stand, a person's reject, and the one entry
/// point every approval takes (<see cref="ApproveAsync(Approval, CancellationToken)"/>), which runs the action
/// through <see cref="ActionRunner"/> after the guards are asked again.
/// </summary>
public sealed class ActionQueue(AuditStore audit, ActionRunner runner, ActionPlanner planner, WatchClock clock)
{
    /// <summary>The cycle of records made outside any watch cycle (an approval as proposed, an audit made elsewhere).</summary>
    public const long OutsideTheLoop = 0;

    /// <summary>The records that move a proposal along: decisions, starts, outcomes, verifications.</summary>
    private static readonly AuditKind[] DecisionAndEffectKinds =
        [AuditKind.Approval, AuditKind.Rejection, AuditKind.ExecutionStarted, AuditKind.Execution, AuditKind.Verification];

    public async Task<IReadOnlyList<ProposalRecord>> ListAsync(DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        var proposals = await audit.QueryAsync(since, kind: AuditKind.Proposal, cancellationToken: cancellationToken, chainedOnly: true).ConfigureAwait(false);
        if (proposals.Count == 0)
        {
            return [];
        }

        var related = (await audit.QueryAsync(proposals[0].At, cancellationToken: cancellationToken, kinds: DecisionAndEffectKinds, chainedOnly: true).ConfigureAwait(false))
            .ToLookup(e => e.ProposalId!, StringComparer.Ordinal);
        var records = proposals.Select(p => (Event: p, Record: ToRecord(p, [.. related[p.ProposalId!]]))).Where(x => x.Record is not null).ToList();

        // A newer proposal for the same job and tier supersedes an older one still waiting: the queue shows one decision per job and tier.
        var newest = records.GroupBy(x => (x.Record!.Proposal.JobId, x.Record.Proposal.Tier)).ToDictionary(g => g.Key, g => g.Max(x => x.Event.Id));
        return [.. records.Select(x => x.Record!.State == ProposalState.AwaitingApproval && newest[(x.Record.Proposal.JobId, x.Record.Proposal.Tier)] > x.Event.Id
            ? x.Record with { State = ProposalState.Superseded }
            : x.Record!)];
    }

    /// <summary>
    /// Approves or rejects every proposal awaiting approval (newest per job and tier), optionally only one tier's or
    /// one job's; each approval asks the guards again on fresh numbers. Returns each proposal with what happened.
    /// </summary>
    public async Task<IReadOnlyList<(ProposalRecord Proposal, ExecutionRecord? Run, string? Refusal)>> DecideAllAsync(
        bool approve, int? tier, string? jobId, string decidedBy, string? reason, CancellationToken cancellationToken)
    {
        var waiting = (await ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            .Where(r => r.State == ProposalState.AwaitingApproval && (tier is null || r.Proposal.Tier == tier) && (jobId is null || r.Proposal.JobId == jobId))
            .ToList();
        var results = new List<(ProposalRecord, ExecutionRecord?, string?)>();
        foreach (var record in waiting)
        {
            try
            {
                // One listing decides them all: each is already known to be the newest awaiting approval.
                if (approve)
                {
                    results.Add((record, await ApproveQueuedAsync(record, new QueuedApproval(record.Proposal.ProposalId, decidedBy, reason), cancellationToken).ConfigureAwait(false), null));
                }
                else
                {
                    results.Add((await RejectAsync(record, decidedBy, reason, cancellationToken).ConfigureAwait(false), null, null));
                }
            }
            catch (ActionQueueException ex) when (!ex.VgacUnavailable)
            {
                results.Add((record, null, ex.Message));
            }
        }

        return results;
    }

    public async Task<ProposalRecord> FindAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        if (!audit.Exists)
        {
            throw new ActionQueueException($"no audit trail at {audit.Path} yet, so no proposal '{proposalId}'; 'vgac watch' makes proposals.", notFound: true);
        }

        var events = await audit.QueryAsync(proposal: proposalId, cancellationToken: cancellationToken, chainedOnly: true).ConfigureAwait(false);
        var first = events.FirstOrDefault(e => e.Kind == AuditKind.Proposal)
            ?? throw new ActionQueueException($"no proposal '{proposalId}' in the audit trail ({audit.Path}); 'vgac actions list --all' shows them.", notFound: true);
        return ToRecord(first, [.. events.Where(e => e.Kind != AuditKind.Proposal)])
            ?? throw new ActionQueueException($"proposal '{proposalId}' has an unreadable record in the audit trail.");
    }

    /// <summary>
    /// The one way an approved action runs, whichever face the yes came through: the guards are asked again on a fresh
    /// prediction and calibration (a person may take minutes to answer; their yes does not outrank drift or an audit
    /// that arrived meanwhile), the approval is recorded, then <see cref="ActionRunner"/> reserves the job and tier
    /// and runs it at most once. A refusal before anything is recorded comes back as a <c>blocked</c> record.
    /// </summary>
    /// <exception cref="ActionQueueException">The proposal cannot be decided (unknown, already decided, superseded), or VGAC cannot confirm it now.</exception>
    public async Task<ExecutionRecord> ApproveAsync(Approval approval, CancellationToken cancellationToken) => approval switch
    {
        QueuedApproval queued => await ApproveQueuedAsync(await DecidableAsync(queued.ProposalId, "approve", cancellationToken).ConfigureAwait(false), queued, cancellationToken).ConfigureAwait(false),
        CommandApproval command => await RunNewAsync(await CheckCommandAsync(command, cancellationToken).ConfigureAwait(false), command, "", cancellationToken).ConfigureAwait(false),
        ReleaseApproval release => await RunNewAsync(await CheckReleaseAsync(release, cancellationToken).ConfigureAwait(false), release, "", cancellationToken).ConfigureAwait(false),
        ConfirmedApproval confirmed => await RunNewAsync(
            await runner.CheckAsync(confirmed.Proposal, cancellationToken).ConfigureAwait(false), confirmed, " (checked again after the approval)", cancellationToken).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(approval), approval.GetType().Name, "not a kind of approval"),
    };

    /// <summary>Approves a proposal already known to await approval (a decision recorded meanwhile by someone else is caught on append).</summary>
    private async Task<ExecutionRecord> ApproveQueuedAsync(ProposalRecord record, Approval approval, CancellationToken cancellationToken)
    {
        var proposalId = record.Proposal.ProposalId;

        // The guards are asked again before the approval is recorded: if VGAC cannot answer, nothing is decided.
        CheckedAction check;
        try
        {
            check = await runner.CheckAsync(record.Proposal, cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Not an outage: this VGAC does not know the job (it finished, or the proposal came from another VGAC, a
            // demo's simulator say). Nothing can be confirmed, so nothing is decided.
            throw new ActionQueueException(
                $"cannot approve {proposalId}: VGAC does not know job {record.Proposal.JobId} (it has finished, or the proposal came from another VGAC). Nothing was recorded or run.",
                notFound: true);
        }
        catch (VgacApiException ex)
        {
            throw new ActionQueueException(
                $"cannot approve {proposalId} now: VGAC could not confirm the prediction ({ex.Message}). Nothing was recorded or run; approve again when VGAC answers.",
                vgacUnavailable: true);
        }

        await AppendDecisionAsync(record, AuditKind.Approval, approval.Summary, approval.DecidedBy, approval.Reason, cancellationToken).ConfigureAwait(false);
        return await runner.RunAsync(check, record.Cycle, approval.RunBy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A job and tier named at the command line, proposed now past every cache: this plan is also the guards' check
    /// (nobody deliberates in between), so VGAC is asked once.
    /// </summary>
    private async Task<CheckedAction> CheckCommandAsync(CommandApproval command, CancellationToken cancellationToken)
    {
        PlannedAction planned;
        try
        {
            planned = await planner.PlanAsync(command.JobId, command.Tier, cancellationToken, fresh: true).ConfigureAwait(false);
        }
        catch (ActionInputException ex)
        {
            throw new ActionQueueException(ex.Message, notFound: ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase));
        }
        catch (VgacApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new ActionQueueException($"VGAC knows no job {Core.Guards.Identifiers.Echo(command.JobId)}; 'vgac ask \"which jobs are waiting?\"' lists them.", notFound: true);
        }

        return ActionRunner.Judge(planned.Proposal, planned);
    }

    /// <summary>
    /// The release of vgac's own gate on a job: the latest gate the trail shows executed on it and not lifted since.
    /// A hold or suspension made by someone else is theirs to lift.
    /// </summary>
    private async Task<CheckedAction> CheckReleaseAsync(ReleaseApproval release, CancellationToken cancellationToken)
    {
        var job = release.JobId;
        if (Core.Guards.Identifiers.SlurmJobId(job) is not null && Core.Guards.Identifiers.KubernetesName(job) is not null)
        {
            throw new ActionQueueException($"'{Core.Guards.Identifiers.Echo(job)}' is not a job id vgac could have gated.", notFound: true);
        }

        var (gate, start) = await GateInForceAsync(job, cancellationToken).ConfigureAwait(false);
        if (gate is null || start is null)
        {
            throw new ActionQueueException($"no gate by vgac is in force on job {job}: vgac lifts only the holds it made itself ('vgac actions list --all' shows them).", notFound: true);
        }

        if (gate.PreviewKind is not ("slurm_command" or "kubernetes_patch"))
        {
            throw new ActionQueueException($"job {job}'s gate ({gate.ProposalId}) is a {gate.PreviewKind.Replace('_', ' ')}, which vgac cannot lift; lift it as its preview says.");
        }

        ActionProposal proposal;
        try
        {
            proposal = ActionPlanner.Release(gate, release.DecidedBy, release.Reason);
        }
        catch (ActionInputException ex)
        {
            throw new ActionQueueException(ex.Message);
        }

        return CheckedAction.Release(proposal, start.Calibration);
    }

    /// <summary>The gate the trail shows executed on <paramref name="jobId"/> and not released since, with its start record.</summary>
    private async Task<(ActionProposal? Gate, ExecutionStart? Start)> GateInForceAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!audit.Exists)
        {
            return (null, null);
        }

        var events = await audit.QueryAsync(jobId: jobId, kinds: [AuditKind.Proposal, AuditKind.ExecutionStarted, AuditKind.Execution], cancellationToken: cancellationToken, chainedOnly: true)
            .ConfigureAwait(false);
        var proposals = new Dictionary<string, ActionProposal>(StringComparer.Ordinal);
        var starts = new Dictionary<string, ExecutionStart>(StringComparer.Ordinal);
        (ActionProposal?, ExecutionStart?) inForce = (null, null);
        foreach (var e in events.Where(e => e.ProposalId is not null && e.Payload is not null))
        {
            switch (e.Kind)
            {
                case AuditKind.Proposal when ActionsJson.Records.Deserialize<ActionProposal>(e.Payload!) is { } p:
                    proposals[e.ProposalId!] = p;
                    break;
                case AuditKind.ExecutionStarted when ActionsJson.Records.Deserialize<ExecutionStart>(e.Payload!) is { } s:
                    starts[e.ProposalId!] = s;
                    break;
                case AuditKind.Execution when ActionsJson.Records.Deserialize<ExecutionRecord>(e.Payload!) is { State: ProposalState.Executed } run:
                    inForce = run.Action switch
                    {
                        "gate" => (proposals.GetValueOrDefault(e.ProposalId!), starts.GetValueOrDefault(e.ProposalId!)),
                        ActionPlanner.ReleaseAction => (null, null),
                        _ => inForce,
                    };
                    break;
            }
        }

        return inForce;
    }

    /// <summary>
    /// Records and runs an action approved as it was proposed (not from the queue): the proposal and the approval are
    /// appended outside any watch cycle, then the runner takes it as it takes the loop's.
    /// </summary>
    private async Task<ExecutionRecord> RunNewAsync(CheckedAction check, Approval approval, string refusalNote, CancellationToken cancellationToken)
    {
        var proposal = check.Proposal;
        if (!check.MayRun)
        {
            var why = proposal.Allowed ? $"{check.Refusal}{refusalNote}" : $"{proposal.Rule}: {proposal.Reason}";
            return new ExecutionRecord(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, ProposalState.Blocked, approval.DecidedBy, why, null,
                proposal.PreviewKind, proposal.Preview);
        }

        var now = clock.Now;

        // Unique per request even for two in the same millisecond: each is its own decision in the trail.
        proposal = proposal.Stamped($"i{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid().ToString("N")[..6]}");
        check = check.For(proposal);
        AuditEvent Event(AuditKind kind, string summary, string payload) =>
            new(0, now, OutsideTheLoop, kind, proposal.JobId, proposal.Tier, proposal.ProposalId, summary, payload);
        await audit.AppendAsync(
            [
                Event(AuditKind.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): allowed by {proposal.Rule}; requested outside the loop", ActionsJson.Records.Serialize(proposal)),
                Event(AuditKind.Approval, approval.Summary, ActionsJson.Records.Serialize(new DecisionRecord(proposal.ProposalId, approval.DecidedBy, approval.Reason))),
            ],
            cancellationToken).ConfigureAwait(false);
        return await runner.RunAsync(check, OutsideTheLoop, approval.RunBy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts an allowed proposal made outside the loop into the approval queue, for a person to decide with
    /// <c>vgac actions approve</c> (the guards are asked again then). The same proposal already waiting there is
    /// returned rather than queued twice.
    /// </summary>
    public async Task<ActionProposal> QueueAsync(ActionProposal proposal, string requestedThrough, CancellationToken cancellationToken)
    {
        if (!proposal.Allowed)
        {
            throw new ActionQueueException($"{proposal.ProposalId} is blocked by the guards ({proposal.Rule}), so there is nothing to approve.");
        }

        if (audit.Exists)
        {
            var waiting = (await ListAsync(clock.Now.AddDays(-1), cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(r => r.State == ProposalState.AwaitingApproval && r.Proposal.ProposalId.StartsWith(proposal.ProposalId + "-", StringComparison.Ordinal));
            if (waiting is not null)
            {
                return waiting.Proposal;
            }
        }

        var now = clock.Now;
        var queued = proposal.Stamped($"q{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid().ToString("N")[..6]}");
        await audit.AppendAsync(
            [new(0, now, OutsideTheLoop, AuditKind.Proposal, queued.JobId, queued.Tier, queued.ProposalId,
                $"{queued.Action} {queued.JobId} (tier {queued.Tier}): allowed by {queued.Rule}; queued for approval: {Core.Text.UntrustedText.Clean(requestedThrough, 200)}",
                ActionsJson.Records.Serialize(queued))],
            cancellationToken).ConfigureAwait(false);
        return queued;
    }

    public async Task<ProposalRecord> RejectAsync(string proposalId, string decidedBy, string? reason, CancellationToken cancellationToken) =>
        await RejectAsync(await DecidableAsync(proposalId, "reject", cancellationToken).ConfigureAwait(false), decidedBy, reason, cancellationToken).ConfigureAwait(false);

    private async Task<ProposalRecord> RejectAsync(ProposalRecord record, string decidedBy, string? reason, CancellationToken cancellationToken)
    {
        var proposalId = record.Proposal.ProposalId;
        await AppendDecisionAsync(record, AuditKind.Rejection, $"rejected by {decidedBy}{(reason is null ? "" : $": {reason}")}", decidedBy, reason, cancellationToken).ConfigureAwait(false);
        return await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProposalRecord> DecidableAsync(string proposalId, string verb, CancellationToken cancellationToken)
    {
        var record = await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
        var since = record.State == ProposalState.AwaitingApproval ? await ListAsync(record.ProposedAt, cancellationToken).ConfigureAwait(false) : [];
        if (since.FirstOrDefault(r => r.Proposal.ProposalId == proposalId) is { State: ProposalState.Superseded })
        {
            var newer = since.Last(r => r.Proposal.JobId == record.Proposal.JobId && r.Proposal.Tier == record.Proposal.Tier);
            throw new ActionQueueException($"cannot {verb} {proposalId}: {newer.Proposal.ProposalId} replaced it (a newer proposal for job {record.Proposal.JobId}, tier {record.Proposal.Tier}); decide that one.");
        }

        return record.State switch
        {
            ProposalState.AwaitingApproval => record,
            ProposalState.Blocked => throw new ActionQueueException(
                $"cannot {verb} {proposalId}: the guards blocked it ({record.Proposal.Rule}), so it can never run. {record.Proposal.Reason}"),
            var state => throw new ActionQueueException($"cannot {verb} {proposalId}: it is already {state.Spoken()}."),
        };
    }

    private async Task AppendDecisionAsync(ProposalRecord record, AuditKind kind, string summary, string decidedBy, string? reason, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(
                [new AuditEvent(0, clock.Now, record.Cycle, kind, record.Proposal.JobId, record.Proposal.Tier, record.Proposal.ProposalId, summary,
                    ActionsJson.Records.Serialize(new DecisionRecord(record.Proposal.ProposalId, decidedBy, reason)))],
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (audit.IsDuplicate(ex))
        {
            throw new ActionQueueException($"{record.Proposal.ProposalId} was decided by someone else a moment ago; 'vgac actions show {record.Proposal.ProposalId}' has the outcome.");
        }
    }

    private static ProposalRecord? ToRecord(AuditEvent proposal, IReadOnlyList<AuditEvent> history) =>
        proposal.Payload is { } json && ActionsJson.Records.Deserialize<ActionProposal>(json) is { } p
            ? new ProposalRecord(p, proposal.At, proposal.Cycle, ProposalRecord.StateOf(p, history), history) { Cluster = proposal.Cluster }
            : null;
}
