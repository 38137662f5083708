using Vgac.Copilot.Client;
using Vgac.Copilot.Audit;

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
/// The approval queue over the audit trail: proposals and where they stand, and a person's approve or reject.
/// Approving runs the action through <see cref="ActionRunner"/>, which checks the guards again first.
/// </summary>
public sealed class ActionQueue(AuditStore audit, ActionRunner runner, ActionPlanner planner, AuditedExecutionPath execution, WatchClock clock)
{
    /// <summary>The records that move a proposal along: decisions, starts, outcomes, verifications.</summary>
    private static readonly string[] DecisionAndEffectKinds =
        [AuditKinds.Approval, AuditKinds.Rejection, AuditKinds.ExecutionStarted, AuditKinds.Execution, AuditKinds.Verification];

    public async Task<IReadOnlyList<ProposalRecord>> ListAsync(DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        var proposals = await audit.QueryAsync(since, kind: AuditKinds.Proposal, cancellationToken: cancellationToken, chainedOnly: true).ConfigureAwait(false);
        if (proposals.Count == 0)
        {
            return [];
        }

        var related = (await audit.QueryAsync(proposals[0].At, cancellationToken: cancellationToken, kinds: DecisionAndEffectKinds, chainedOnly: true).ConfigureAwait(false))
            .ToLookup(e => e.ProposalId!, StringComparer.Ordinal);
        var records = proposals.Select(p => (Event: p, Record: ToRecord(p, [.. related[p.ProposalId!]]))).Where(x => x.Record is not null).ToList();

        // A newer proposal for the same job and tier supersedes an older one still waiting: the queue shows one decision per job and tier.
        var newest = records.GroupBy(x => (x.Record!.Proposal.JobId, x.Record.Proposal.Tier)).ToDictionary(g => g.Key, g => g.Max(x => x.Event.Id));
        return [.. records.Select(x => x.Record!.State == ProposalStates.AwaitingApproval && newest[(x.Record.Proposal.JobId, x.Record.Proposal.Tier)] > x.Event.Id
            ? x.Record with { State = ProposalStates.Superseded }
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
            .Where(r => r.State == ProposalStates.AwaitingApproval && (tier is null || r.Proposal.Tier == tier) && (jobId is null || r.Proposal.JobId == jobId))
            .ToList();
        var results = new List<(ProposalRecord, ExecutionRecord?, string?)>();
        foreach (var record in waiting)
        {
            try
            {
                // One listing decides them all: each is already known to be the newest awaiting approval.
                if (approve)
                {
                    results.Add((record, await ApproveAsync(record, decidedBy, reason, cancellationToken).ConfigureAwait(false), null));
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
        var first = events.FirstOrDefault(e => e.Kind == AuditKinds.Proposal)
            ?? throw new ActionQueueException($"no proposal '{proposalId}' in the audit trail ({audit.Path}); 'vgac actions list --all' shows them.", notFound: true);
        return ToRecord(first, [.. events.Where(e => e.Kind != AuditKinds.Proposal)])
            ?? throw new ActionQueueException($"proposal '{proposalId}' has an unreadable record in the audit trail.");
    }

    /// <summary>Approves and runs a proposal awaiting approval; the guards are checked again with fresh data first.</summary>
    public async Task<ExecutionRecord> ApproveAsync(string proposalId, string decidedBy, string? reason, CancellationToken cancellationToken) =>
        await ApproveAsync(await DecidableAsync(proposalId, "approve", cancellationToken).ConfigureAwait(false), decidedBy, reason, cancellationToken).ConfigureAwait(false);

    /// <summary>Approves a proposal already known to await approval (a decision recorded meanwhile by someone else is caught on append).</summary>
    private async Task<ExecutionRecord> ApproveAsync(ProposalRecord record, string decidedBy, string? reason, CancellationToken cancellationToken)
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

        await AppendDecisionAsync(record, AuditKinds.Approval, $"approved by {decidedBy}{(reason is null ? "" : $": {reason}")}", decidedBy, reason, cancellationToken).ConfigureAwait(false);
        return await runner.RunAsync(check, record.Cycle, $"approved by {decidedBy}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A person at the command line applies a tier's action to a job directly (their command is the approval): proposed
    /// now, checked again past every cache, the job and tier reserved, run at most once, recorded like any approval.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(string jobId, int tier, string decidedBy, string? reason, CancellationToken cancellationToken)
    {
        // Planned past every cache: this plan is also the guards' check (nobody deliberates in between), so VGAC is asked once.
        PlannedAction planned;
        try
        {
            planned = await planner.PlanAsync(jobId, tier, cancellationToken, fresh: true).ConfigureAwait(false);
        }
        catch (ActionInputException ex)
        {
            throw new ActionQueueException(ex.Message, notFound: ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase));
        }
        catch (VgacApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new ActionQueueException($"VGAC knows no job {Core.Guards.Identifiers.Echo(jobId)}; 'vgac ask \"which jobs are waiting?\"' lists them.", notFound: true);
        }

        var proposal = planned.Proposal;
        if (!proposal.Allowed)
        {
            return ApplyResult.NotRun(proposal, "blocked_by_guard", $"{proposal.Rule}: {proposal.Reason}");
        }

        var why = $"applied by {decidedBy}{(reason is null ? "" : $": {reason}")}";
        return await execution.RunCheckedAsync(ActionRunner.Judge(proposal, planned), new ApprovalDecision(true, why), cancellationToken).ConfigureAwait(false);
    }

    public async Task<ProposalRecord> RejectAsync(string proposalId, string decidedBy, string? reason, CancellationToken cancellationToken) =>
        await RejectAsync(await DecidableAsync(proposalId, "reject", cancellationToken).ConfigureAwait(false), decidedBy, reason, cancellationToken).ConfigureAwait(false);

    private async Task<ProposalRecord> RejectAsync(ProposalRecord record, string decidedBy, string? reason, CancellationToken cancellationToken)
    {
        var proposalId = record.Proposal.ProposalId;
        await AppendDecisionAsync(record, AuditKinds.Rejection, $"rejected by {decidedBy}{(reason is null ? "" : $": {reason}")}", decidedBy, reason, cancellationToken).ConfigureAwait(false);
        return await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProposalRecord> DecidableAsync(string proposalId, string verb, CancellationToken cancellationToken)
    {
        var record = await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
        var since = record.State == ProposalStates.AwaitingApproval ? await ListAsync(record.ProposedAt, cancellationToken).ConfigureAwait(false) : [];
        if (since.FirstOrDefault(r => r.Proposal.ProposalId == proposalId) is { State: ProposalStates.Superseded })
        {
            var newer = since.Last(r => r.Proposal.JobId == record.Proposal.JobId && r.Proposal.Tier == record.Proposal.Tier);
            throw new ActionQueueException($"cannot {verb} {proposalId}: {newer.Proposal.ProposalId} replaced it (a newer proposal for job {record.Proposal.JobId}, tier {record.Proposal.Tier}); decide that one.");
        }

        return record.State switch
        {
            ProposalStates.AwaitingApproval => record,
            ProposalStates.Blocked => throw new ActionQueueException(
                $"cannot {verb} {proposalId}: the guards blocked it ({record.Proposal.Rule}), so it can never run. {record.Proposal.Reason}"),
            var state => throw new ActionQueueException($"cannot {verb} {proposalId}: it is already {state.Replace('_', ' ')}."),
        };
    }

    private async Task AppendDecisionAsync(ProposalRecord record, string kind, string summary, string decidedBy, string? reason, CancellationToken cancellationToken)
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
