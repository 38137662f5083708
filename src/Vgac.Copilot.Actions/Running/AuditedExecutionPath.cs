using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>
/// Actions approved outside the loop (an MCP client's elicitation, the REPL) take the loop's path: the proposal and
/// the approval are appended to the audit trail (cycle 0: outside any watch cycle), then <see cref="ActionRunner"/>
/// runs it at most once through the configured executors and records the outcome, which the next watch cycle verifies.
/// </summary>
public sealed class AuditedExecutionPath(AuditStore audit, ActionRunner runner, WatchClock clock) : IActionExecutionPath
{
    public const long OutsideTheLoop = 0;

    public async Task<ApplyResult> RunApprovedAsync(ActionProposal proposal, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        // A person may take minutes to answer; their yes does not outrank drift (or an audit) that arrived meanwhile.
        var check = await runner.CheckAsync(proposal, cancellationToken).ConfigureAwait(false);
        return await RunCheckedAsync(check, decision, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records and runs an approved action the guards have just checked (refusing it if they said no).</summary>
    public async Task<ApplyResult> RunCheckedAsync(CheckedAction check, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        var proposal = check.Proposal;
        if (!check.MayRun)
        {
            return new ApplyResult(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, false, "blocked_by_guard",
                $"{check.Refusal} (checked again after the approval)", DryRun: true, proposal.Preview);
        }

        var now = clock.Now;

        // Unique per request even for two in the same millisecond: each is its own decision in the trail.
        proposal = proposal.Stamped($"i{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid().ToString("N")[..6]}");
        check = check.For(proposal);
        AuditEvent Event(string kind, string summary, string payload) =>
            new(0, now, OutsideTheLoop, kind, proposal.JobId, proposal.Tier, proposal.ProposalId, summary, payload);
        await audit.AppendAsync(
            [
                Event(AuditKinds.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): allowed by {proposal.Rule}; requested outside the loop", ActionsJson.Records.Serialize(proposal)),
                Event(AuditKinds.Approval, $"approved: {decision.Reason}", ActionsJson.Records.Serialize(new DecisionRecord(proposal.ProposalId, "interactive", decision.Reason))),
            ],
            cancellationToken).ConfigureAwait(false);

        var run = await runner.RunAsync(check, OutsideTheLoop, "approved interactively", cancellationToken).ConfigureAwait(false);
        var executed = run.State == ProposalStates.Executed;
        var dryRun = run.Outcome?.DryRun ?? true;
        return new ApplyResult(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, executed,
            executed ? dryRun ? "recorded_dry_run" : "executed" : run.State,
            $"Approved: {decision.Reason}. {run.Detail}", dryRun, proposal.Preview);
    }
}
