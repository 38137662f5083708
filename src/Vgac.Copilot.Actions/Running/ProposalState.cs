using Vgac.Copilot.Actions.Executors;
using System.Text.Json.Serialization;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions;

/// <summary>
/// Where a proposal stands, derived from its audit records (never stored as such: the trail is the truth). Also the
/// state an <c>execution</c> record stores. Written by its wire name (<see cref="Core.Text.WireNames"/>):
/// <c>awaiting_approval</c>, <c>executed</c>, ...
/// </summary>
[JsonConverter(typeof(WireNameConverter<ProposalState>))]
public enum ProposalState
{
    /// <summary>The guards blocked it: it can never run.</summary>
    Blocked,
    AwaitingApproval,
    Approved,
    Rejected,

    /// <summary>An execution started and its outcome is not recorded yet (or the process died: see <see cref="Interrupted"/>).</summary>
    Executing,
    Executed,
    Failed,

    /// <summary>A newer proposal for the same job and tier replaced it while it waited; only the newer one can be decided.</summary>
    Superseded,

    /// <summary>At run time the guards (fresh prediction and calibration) or a duplicate refused it.</summary>
    Refused,

    /// <summary>The process stopped between starting and recording an execution; it is not retried (at most once).</summary>
    Interrupted,
    Verified,
}

/// <summary>The outcome record stored with an <c>execution</c> event.</summary>
public sealed record ExecutionRecord(
    string ProposalId,
    string JobId,
    int Tier,
    string Action,
    ProposalState State,
    string DecidedBy,
    string Detail,
    ExecutionOutcome? Outcome,
    string PreviewKind,
    string Preview);

/// <summary>A proposal as the audit trail knows it: what was proposed, where it stands, and every record about it.</summary>
public sealed record ProposalRecord(ActionProposal Proposal, DateTimeOffset ProposedAt, long Cycle, ProposalState State, IReadOnlyList<AuditEvent> History)
{
    /// <summary>The cluster whose job the proposal is about.</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;

    public static ProposalState StateOf(ActionProposal proposal, IReadOnlyList<AuditEvent> history)
    {
        var state = proposal.Allowed ? ProposalState.AwaitingApproval : ProposalState.Blocked;
        foreach (var e in history)
        {
            state = e.Kind switch
            {
                AuditKind.Approval => ProposalState.Approved,
                AuditKind.Rejection => ProposalState.Rejected,
                AuditKind.ExecutionStarted => ProposalState.Executing,
                AuditKind.Execution => ExecutionState(e),
                AuditKind.Verification => ProposalState.Verified,
                _ => state,
            };
        }

        return state;
    }

    private static ProposalState ExecutionState(AuditEvent e) =>
        e.Payload is { } json && ActionsJson.Records.Deserialize<ExecutionRecord>(json) is { } record ? record.State : ProposalState.Failed;
}
