using Vgac.Copilot.Plugins.Results;

namespace Vgac.Copilot.Plugins.Actions;

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
    Task<ApprovalDecision> ApproveAsync(ProposalResult proposal, IServiceProvider? requestServices, CancellationToken cancellationToken);
}

/// <summary>The default: no one to ask, so no action runs (never default to allow).</summary>
public sealed class DenyingApprover : IActionApprover
{
    public Task<ApprovalDecision> ApproveAsync(ProposalResult proposal, IServiceProvider? requestServices, CancellationToken cancellationToken) =>
        Task.FromResult(ApprovalDecision.Denied("No one can confirm actions in this session, so none runs."));
}

/// <summary>Executed actions, in memory. The dry-run executor records here and changes nothing else.</summary>
public sealed class ActionLog
{
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
