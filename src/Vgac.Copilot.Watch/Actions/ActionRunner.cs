using Vgac.Copilot.Client;
using Vgac.Copilot.Plugins.Actions;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Plugins.Results;
using Vgac.Copilot.Watch.Executors;

namespace Vgac.Copilot.Watch.Actions;

/// <summary>
/// Carries out one proposal, at most once, with the guards first: a blocked proposal never runs; an approved one is
/// checked again against a fresh prediction and calibration (a person's yes does not outrank drift that arrived
/// since); fallback or low-confidence data never drives an action; no second execution for the same job and tier
/// within the dedupe window. The start and the outcome are separate audit records, so a crash in between is found
/// later and reported as interrupted, never silently retried.
/// </summary>
public sealed class ActionRunner(
    ActionPlanner planner,
    IEnumerable<IActionExecutor> executors,
    DryRunExecutor dryRun,
    AuditStore audit,
    WatchOptions options,
    WatchClock clock)
{
    /// <param name="proposal">What to run.</param>
    /// <param name="cycle">The cycle the records belong to.</param>
    /// <param name="decidedBy">Who let it run: an autonomy level, or a person.</param>
    /// <param name="recheck">Check the guards again on a fresh prediction and calibration first.</param>
    /// <param name="refusal">A refusal already established by <see cref="RecheckAsync"/>, recorded instead of running.</param>
    /// <param name="cancellationToken">Cancels the checks; an execution once started is finished and recorded.</param>
    public async Task<ExecutionRecord> RunAsync(
        ProposalResult proposal, long cycle, string decidedBy, bool recheck, CancellationToken cancellationToken, string? refusal = null)
    {
        refusal ??= await CheckAsync(proposal, recheck, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            var refused = Record(proposal, ProposalStates.Refused, decidedBy, refusal, null);
            await audit.AppendAsync([Event(cycle, AuditKinds.Execution, $"not run: {refusal}", proposal, refused)], cancellationToken).ConfigureAwait(false);
            return refused;
        }

        try
        {
            await audit.AppendAsync([Started(proposal, cycle, decidedBy)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AuditStore.IsDuplicate(ex))
        {
            // Another process started it between the check and here; the database lets only one through.
            return Record(proposal, ProposalStates.Refused, decidedBy, "it was already started once; an action runs at most once", null);
        }

        return await ExecuteStartedAsync(proposal, cycle, decidedBy).ConfigureAwait(false);
    }

    /// <summary>
    /// For the loop: decides, without running anything, whether an unattended proposal may start, and returns the
    /// record to commit in the same transaction as the proposal itself: its <c>execution_started</c>, or the refusal.
    /// A crash after that commit leaves a start without an outcome, which the next cycle records as interrupted.
    /// </summary>
    public async Task<(AuditEvent Record, ExecutionRecord? Refused)> PlanAsync(ProposalResult proposal, long cycle, string decidedBy, CancellationToken cancellationToken)
    {
        if (await CheckAsync(proposal, recheck: false, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            var refused = Record(proposal, ProposalStates.Refused, decidedBy, refusal, null);
            return (Event(cycle, AuditKinds.Execution, $"not run: {refusal}", proposal, refused), refused);
        }

        return (Started(proposal, cycle, decidedBy), null);
    }

    /// <summary>Runs a proposal whose <c>execution_started</c> record is committed, and records the outcome.</summary>
    public async Task<ExecutionRecord> ExecuteStartedAsync(ProposalResult proposal, long cycle, string decidedBy)
    {
        var outcome = await ExecutorFor(proposal).ExecuteAsync(
            new ExecutionRequest(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, proposal.PreviewKind, proposal.Preview), CancellationToken.None).ConfigureAwait(false);
        var record = Record(proposal, outcome.Delivered ? ProposalStates.Executed : ProposalStates.Failed, decidedBy, outcome.Detail, outcome);

        // The outcome is recorded even when the caller is cancelling: an effect that happened must be in the trail.
        await audit.AppendAsync([Event(cycle, AuditKinds.Execution, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {outcome.Detail}", proposal, record)], CancellationToken.None)
            .ConfigureAwait(false);
        return record;
    }

    private IActionExecutor ExecutorFor(ProposalResult proposal) =>
        executors.FirstOrDefault(e => e is not DryRunExecutor && e.Handles(proposal.PreviewKind)) ?? dryRun;

    private AuditEvent Started(ProposalResult proposal, long cycle, string decidedBy) =>
        Event(cycle, AuditKinds.ExecutionStarted, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}) started by {decidedBy} via {ExecutorFor(proposal).Name}", proposal, null);

    private async Task<string?> CheckAsync(ProposalResult proposal, bool recheck, CancellationToken cancellationToken)
    {
        if (!proposal.Allowed)
        {
            return $"the guards blocked it when proposed ({proposal.Rule}): {proposal.Reason}";
        }

        if (proposal.Prediction.ShownAs != "confident")
        {
            return $"the prediction behind it is {proposal.Prediction.ShownAs.Replace('_', ' ')}; only confident, calibrated predictions drive actions";
        }

        if (recheck)
        {
            try
            {
                if (await RecheckAsync(proposal, cancellationToken).ConfigureAwait(false) is { } now)
                {
                    return now;
                }
            }
            catch (VgacApiException ex)
            {
                return $"VGAC could not confirm the prediction now ({ex.Message}); nothing runs on stale or fallback data";
            }
        }

        var since = clock.Now.AddMinutes(-options.DedupeMinutes);
        var earlier = await audit.QueryAsync(since, proposal.JobId, AuditKinds.Execution, cancellationToken).ConfigureAwait(false);
        var duplicate = earlier.FirstOrDefault(e => e.Tier == proposal.Tier
            && e.Payload is { } json && WatchJson.Deserialize<ExecutionRecord>(json)?.State is ProposalStates.Executed);
        if (duplicate is not null)
        {
            return $"tier {proposal.Tier} already ran for {proposal.JobId} at {duplicate.At:u} (proposal {duplicate.ProposalId}), within the {options.DedupeMinutes:0}-minute window";
        }

        var started = await audit.QueryAsync(proposal: proposal.ProposalId, kind: AuditKinds.ExecutionStarted, cancellationToken: cancellationToken).ConfigureAwait(false);
        return started.Count > 0 ? "it was already started once; an action runs at most once" : null;
    }

    /// <summary>
    /// The guards' answer now, on a fresh prediction and calibration: null when the proposal may still run, else why
    /// not. VGAC being unreachable is thrown (<see cref="VgacApiException"/>), not answered: it decides nothing.
    /// </summary>
    public async Task<string?> RecheckAsync(ProposalResult proposal, CancellationToken cancellationToken)
    {
        ProposalResult fresh;
        try
        {
            fresh = await planner.ProposeAsync(proposal.JobId, proposal.Tier, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolInputException ex)
        {
            return ex.Message;
        }

        return !fresh.Allowed ? $"the guards block it now ({fresh.Rule}): {fresh.Reason}"
            : fresh.Prediction.ShownAs != "confident" ? $"the prediction now is {fresh.Prediction.ShownAs.Replace('_', ' ')}; only confident, calibrated predictions drive actions"
            : null;
    }

    private static ExecutionRecord Record(ProposalResult p, string state, string decidedBy, string detail, ExecutionOutcome? outcome) =>
        new(p.ProposalId, p.JobId, p.Tier, p.Action, state, decidedBy, detail, outcome, p.PreviewKind, p.Preview);

    private AuditEvent Event(long cycle, string kind, string summary, ProposalResult p, ExecutionRecord? record) =>
        new(0, clock.Now, cycle, kind, p.JobId, p.Tier, p.ProposalId, summary, record is null ? null : WatchJson.Serialize(record));
}
