using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>Where a proposal stands, derived from its audit records (never stored: the trail is the truth).</summary>
public static class ProposalStates
{
    /// <summary>The guards blocked it: it can never run.</summary>
    public const string Blocked = "blocked";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Approved = "approved";
    public const string Rejected = "rejected";

    /// <summary>An execution started and its outcome is not recorded yet (or the process died: see <see cref="Interrupted"/>).</summary>
    public const string Executing = "executing";
    public const string Executed = "executed";
    public const string Failed = "failed";

    /// <summary>A newer proposal for the same job and tier replaced it while it waited; only the newer one can be decided.</summary>
    public const string Superseded = "superseded";

    /// <summary>At run time the guards (fresh prediction and calibration) or a duplicate refused it.</summary>
    public const string Refused = "refused";

    /// <summary>The process stopped between starting and recording an execution; it is not retried (at most once).</summary>
    public const string Interrupted = "interrupted";
    public const string Verified = "verified";
}

/// <summary>The outcome record stored with an <c>execution</c> event.</summary>
public sealed record ExecutionRecord(
    string ProposalId,
    string JobId,
    int Tier,
    string Action,
    string State,
    string DecidedBy,
    string Detail,
    ExecutionOutcome? Outcome,
    string PreviewKind,
    string Preview);

/// <summary>A proposal as the audit trail knows it: what was proposed, where it stands, and every record about it.</summary>
public sealed record ProposalRecord(ActionProposal Proposal, DateTimeOffset ProposedAt, long Cycle, string State, IReadOnlyList<AuditEvent> History)
{
    /// <summary>The cluster whose job the proposal is about.</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;

    public static string StateOf(ActionProposal proposal, IReadOnlyList<AuditEvent> history)
    {
        var state = proposal.Allowed ? ProposalStates.AwaitingApproval : ProposalStates.Blocked;
        foreach (var e in history)
        {
            state = e.Kind switch
            {
                AuditKinds.Approval => ProposalStates.Approved,
                AuditKinds.Rejection => ProposalStates.Rejected,
                AuditKinds.ExecutionStarted => ProposalStates.Executing,
                AuditKinds.Execution => ExecutionState(e),
                AuditKinds.Verification => ProposalStates.Verified,
                _ => state,
            };
        }

        return state;
    }

    private static string ExecutionState(AuditEvent e) =>
        e.Payload is { } json && ActionsJson.Records.Deserialize<ExecutionRecord>(json) is { } record ? record.State : ProposalStates.Failed;
}
