namespace Vgac.Copilot.Actions;

/// <summary>A person's answer to "may this action run?".</summary>
public sealed record ApprovalDecision(bool Approved, string Reason)
{
    /// <summary>
    /// No person could be asked here (an MCP client without elicitation): the proposal goes to the approval queue for
    /// someone to decide there, rather than being refused.
    /// </summary>
    public bool NoOneToAsk { get; init; }

    public static ApprovalDecision Denied(string reason) => new(false, reason);

    /// <summary>Not a no: nobody could be asked where the request came from (see <see cref="NoOneToAsk"/>).</summary>
    public static ApprovalDecision Queue(string reason) => new(false, reason) { NoOneToAsk = true };
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
/// A person's yes to an action, in each form it takes. Every one of them is carried out by
/// <see cref="ActionQueue.ApproveAsync(Approval, CancellationToken)"/>: the guards asked again on fresh numbers, the
/// approval recorded in the audit trail, the job and tier reserved, the action run at most once.
/// </summary>
/// <remarks>The four kinds below are all there are (the constructor is this assembly's), so the queue's switch over them is whole.</remarks>
public abstract record Approval
{
    private protected Approval(string decidedBy, string? reason) => (DecidedBy, Reason) = (decidedBy, reason);

    /// <summary>Who said yes, as the trail records it.</summary>
    public string DecidedBy { get; }

    /// <summary>Why, as they said it; null when they gave none.</summary>
    public string? Reason { get; }

    /// <summary>The approval record's summary in the trail: who said yes, and why.</summary>
    internal virtual string Summary => $"approved by {DecidedBy}{(Reason is null ? "" : $": {Reason}")}";

    /// <summary>Who let the action run, as its execution records say.</summary>
    internal virtual string RunBy => $"approved by {DecidedBy}";
}

/// <summary>A proposal waiting in the queue (<c>vgac actions approve</c>).</summary>
public sealed record QueuedApproval(string ProposalId, string DecidedBy, string? Reason) : Approval(DecidedBy, Reason);

/// <summary>A tier's action on a job, applied at the command line: the command is the approval (<c>vgac actions apply</c>).</summary>
public sealed record CommandApproval(string JobId, int Tier, string DecidedBy, string? Reason) : Approval(DecidedBy, Reason)
{
    internal override string Summary => $"applied by {DecidedBy}{(Reason is null ? "" : $": {Reason}")}";

    internal override string RunBy => $"applied by {DecidedBy}";
}

/// <summary>
/// Lifting a gate vgac ran on a job (<c>vgac actions release JOB</c>): the command is the approval. Only a gate vgac
/// itself ran and has not yet lifted can be released, and the release runs at most once like any action.
/// </summary>
public sealed record ReleaseApproval(string JobId, string DecidedBy, string? Reason) : Approval(DecidedBy, Reason)
{
    internal override string Summary => $"released by {DecidedBy}{(Reason is null ? "" : $": {Reason}")}";

    internal override string RunBy => $"released by {DecidedBy}";
}

/// <summary>A proposal a person confirmed when asked (an MCP client's elicitation, the REPL's prompt); the reason says who and how.</summary>
public sealed record ConfirmedApproval(ActionProposal Proposal, string Why) : Approval("interactive", Why)
{
    internal override string Summary => $"approved: {Why}";

    internal override string RunBy => "approved interactively";
}

/// <summary>
/// An MCP tool call as the trail keeps it (kind <c>tool_call</c>): the tool, its arguments (secrets masked, capped),
/// who called through which client and session, what came of it, the guards' verdict, and how long it took.
/// </summary>
public sealed record ToolCallRecord(string Tool, string Arguments, string Caller, string Client, string Session, string Outcome, string? Verdict, double ElapsedMs);
