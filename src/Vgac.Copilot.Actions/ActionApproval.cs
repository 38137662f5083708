namespace Vgac.Copilot.Actions;

/// <summary>A person's answer to "may this action run?".</summary>
public sealed record ApprovalDecision(bool Approved, string Reason)
{
    public static ApprovalDecision Denied(string reason) => new(false, reason);
}

/// <summary>
/// Asks a person before an action runs (the guards having already allowed it). Each host supplies one: MCP asks
/// through elicitation, the REPL at the prompt. Without one, nothing runs.
/// </summary>
public interface IActionApprover
{
    /// <param name="proposal">What would run, with its preview and verdict.</param>
    /// <param name="requestServices">Services of the current tool call (an MCP request's, for instance), when the host has them.</param>
    /// <param name="cancellationToken">Cancels the question.</param>
    Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken);
}

/// <summary>The default: no one to ask, so no action runs (never default to allow).</summary>
public sealed class DenyingApprover : IActionApprover
{
    public Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken) =>
        Task.FromResult(ApprovalDecision.Denied("No one can confirm actions in this session, so none runs."));
}

/// <summary>
/// Carries out an action the guards allowed and a person approved (through MCP elicitation or the REPL). The
/// default, <see cref="ActionLog"/>, records it in memory as a dry run; a host with the watch registered runs it
/// through the same executors and audit trail as <c>vgac watch</c>.
/// </summary>
public interface IActionExecutionPath
{
    Task<ApplyResult> RunApprovedAsync(ActionProposal proposal, ApprovalDecision decision, CancellationToken cancellationToken);
}

/// <summary>
/// Executed actions, in memory (hosts without an audit trail): a dry run that records the action and its exact preview,
/// nothing else, after asking the guards again past every cache.
/// </summary>
public sealed class ActionLog(ActionPlanner planner) : IActionExecutionPath
{
    public async Task<ApplyResult> RunApprovedAsync(ActionProposal proposal, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        var now = await planner.ProposeAsync(proposal.JobId, proposal.Tier, cancellationToken, fresh: true).ConfigureAwait(false);
        if (!now.Allowed || now.Prediction.ShownAs != Core.Guards.ShownAs.Confident)
        {
            return ApplyResult.NotRun(proposal, "blocked_by_guard", $"{now.Rule}: {now.Reason} (checked again after the approval)");
        }

        var done = new ApplyResult(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, true, "recorded_dry_run",
            $"Approved: {decision.Reason}. Dry run: the preview was recorded, nothing was changed.", DryRun: true, proposal.Preview);
        Record(done);
        return done;
    }

    private readonly List<ApplyResult> _entries = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<ApplyResult> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public void Record(ApplyResult result)
    {
        lock (_gate)
        {
            _entries.Add(result);
        }
    }
}
