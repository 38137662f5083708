namespace Vgac.Copilot.Actions.Executors;

/// <summary>What carrying out one proposal did.</summary>
/// <param name="Executor">Which executor ran it (<c>dry-run</c>, <c>webhook</c>).</param>
/// <param name="Delivered">The effect happened (or, for a dry run, was recorded as it would have).</param>
/// <param name="DryRun">Nothing outside the audit trail changed.</param>
/// <param name="Detail">One sentence: what was done, or why it failed.</param>
/// <param name="Attempts">Tries made (webhook retries count).</param>
/// <param name="StatusCode">The receiver's last HTTP status, for webhook deliveries.</param>
public sealed record ExecutionOutcome(string Executor, bool Delivered, bool DryRun, string Detail, int Attempts = 1, int? StatusCode = null);

/// <summary>A request to carry out an action: the exact preview a person saw or the guards allowed.</summary>
public sealed record ExecutionRequest(string ProposalId, string JobId, int Tier, string Action, string PreviewKind, string Preview);

/// <summary>Carries out an allowed, approved action. Executors never decide whether it may run: the guards did.</summary>
public interface IActionExecutor
{
    string Name { get; }

    /// <summary>Whether this executor handles a preview of this kind (<c>notification</c>, <c>kubernetes_patch</c>, <c>slurm_command</c>).</summary>
    bool Handles(string previewKind);

    Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken);
}

/// <summary>An executor that can read its effect back from the scheduler it acted on, for the next cycle's verification.</summary>
public interface IEffectReader
{
    /// <summary>Whether this reader checks the effects of <paramref name="executor"/> (an <see cref="ExecutionOutcome.Executor"/>).</summary>
    bool Reads(string executor);

    /// <summary>One sentence: whether the scheduler still shows what <paramref name="effect"/> (as it ran) did to the job.</summary>
    Task<string> VerifyAsync(ExecutionRequest effect, CancellationToken cancellationToken);
}

/// <summary>A built-in executor's check that it can reach its scheduler with the rights it needs (<c>vgac doctor</c>).</summary>
public interface ISchedulerProbe
{
    /// <summary>The executor choice this probe checks.</summary>
    ExecutorChoice Executor { get; }

    /// <summary>Whether the scheduler answers and the executor may do its work there, in one sentence; never throws for the scheduler's answer.</summary>
    Task<(bool Reached, string Detail)> PingAsync(CancellationToken cancellationToken);
}

/// <summary>An executor that can check a preview against its scheduler before anyone approves it (a server-side dry run).</summary>
public interface IPreviewChecker
{
    /// <summary>Whether this checker checks previews of this kind with the executor chosen now.</summary>
    bool Checks(string previewKind);

    /// <summary>One sentence: whether the scheduler would accept the preview now, and what it would do; never throws for the scheduler's answer.</summary>
    Task<string> CheckPreviewAsync(ExecutionRequest preview, CancellationToken cancellationToken);
}

/// <summary>The default: records the action with its exact preview and changes nothing else.</summary>
public sealed class DryRunExecutor : IActionExecutor
{
    public string Name => "dry-run";

    public bool Handles(string previewKind) => true;

    public Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ExecutionOutcome(Name, Delivered: true, DryRun: true, request.PreviewKind switch
        {
            "notification" => "dry run: notification recorded, not sent (no webhook configured)",
            _ => $"dry run: {request.PreviewKind.Replace('_', ' ')} emitted as a preview for a person to run",
        }));
}
