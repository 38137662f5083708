using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit;

/// <summary>
/// Kinds of audit records. Stored (and hashed into the chain) by their wire names (<see cref="WireNames"/>):
/// <c>execution_started</c>, <c>skipped_duplicate</c>, ... Renaming a member changes the trail's format.
/// </summary>
[JsonConverter(typeof(WireNameConverter<AuditKind>))]
public enum AuditKind
{
    Observation,
    Calibration,
    Proposal,
    Outage,

    /// <summary>A proposal the cycle did not make again: the same job and tier within the dedupe window.</summary>
    SkippedDuplicate,
    Approval,
    Rejection,
    ExecutionStarted,
    Execution,
    Verification,

    /// <summary>A trail-wide record: records were written out by <c>vgac audit export</c> (their ids and anchor hashes).</summary>
    Export,

    /// <summary>A trail-wide record: exported records were removed by <c>vgac audit prune</c>; the hash they ended on.</summary>
    Checkpoint,

    /// <summary>An MCP tool call that proposed or ran an action: who called, with what, and what came of it.</summary>
    ToolCall,
}
