using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions;

/// <summary>
/// Carries out one proposal, at most once, with the guards first. Every run starts from a <see cref="CheckedAction"/>:
/// the guards asked again on a fresh prediction and calibration (a person's yes does not outrank drift that arrived
/// since, nor an audit another process recorded). Then the job and tier are reserved in the audit trail, atomically
/// across processes, for the dedupe window: in flight or done, a second attempt is refused with who holds it. The
/// start (with the calibration in force) and the outcome are separate records, so a crash in between is found later
/// and reported as interrupted, never silently retried.
/// </summary>
public sealed partial class ActionRunner(
    ActionPlanner planner,
    IEnumerable<IActionExecutor> executors,
    DryRunExecutor dryRun,
    AuditStore audit,
    ActionOptions options,
    WatchClock clock,
    ILogger<ActionRunner>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>
    /// The guards' answer now, on a fresh prediction and calibration. VGAC being unreachable is thrown
    /// (<see cref="Client.VgacApiException"/>), not answered: it decides nothing.
    /// </summary>
    /// <param name="proposal">What was proposed.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="scheduler">The cluster's scheduler when the caller already read it.</param>
    public async Task<CheckedAction> CheckAsync(ActionProposal proposal, CancellationToken cancellationToken, SchedulerType? scheduler = null)
    {
        if (!proposal.Allowed)
        {
            return new CheckedAction(proposal, $"the guards blocked it when proposed ({proposal.Rule}): {proposal.Reason}", null, null);
        }

        PlannedAction now;
        try
        {
            now = await planner.PlanAsync(proposal.JobId, proposal.Tier, cancellationToken, scheduler, fresh: true).ConfigureAwait(false);
        }
        catch (ActionInputException ex)
        {
            return new CheckedAction(proposal, ex.Message, null, null);
        }

        return Judge(proposal, now);
    }

    /// <summary>
    /// The verdict on <paramref name="proposal"/> given a plan made just now on numbers read past every cache (a
    /// command's <c>fresh: true</c> plan, or the watch cycle's own, on the batch it predicted and the calibration it
    /// read this cycle): for a caller that has one already and must not ask VGAC twice.
    /// </summary>
    public static CheckedAction Judge(ActionProposal proposal, PlannedAction now)
    {
        if (!proposal.Allowed)
        {
            return new CheckedAction(proposal, $"the guards blocked it when proposed ({proposal.Rule}): {proposal.Reason}", null, null);
        }

        var calibration = CalibrationInForce.From(now.Prediction.Calibration, now.Prediction.Guards.Drift);
        var shown = now.Prediction.ShownAs;
        var refusal = !now.Proposal.Allowed ? $"the guards block it now ({now.Proposal.Rule}): {now.Proposal.Reason}"
            : shown != ShownAs.Confident ? $"the prediction now is {shown.Spoken()}; only confident, calibrated predictions drive actions"
            : null;
        return new CheckedAction(proposal, refusal, now.Proposal, calibration);
    }

    /// <param name="action">What to run, as the guards judged it just now.</param>
    /// <param name="cycle">The cycle the records belong to.</param>
    /// <param name="decidedBy">Who let it run: an autonomy level, or a person.</param>
    /// <param name="cancellationToken">Cancels the reservation; an execution once started is finished and recorded.</param>
    public async Task<ExecutionRecord> RunAsync(CheckedAction action, long cycle, string decidedBy, CancellationToken cancellationToken)
    {
        var (record, refused) = Plan(action, cycle, decidedBy);
        IReadOnlyList<ReservationConflict> conflicts;
        try
        {
            conflicts = await audit.AppendAsync([record], Reservations(decidedBy), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (audit.IsDuplicate(ex))
        {
            // This very proposal was started by someone else between the check and here; the database lets one through.
            return Record(action.Proposal, ProposalState.Refused, decidedBy, "it was already started once; an action runs at most once", null);
        }

        if (refused is not null)
        {
            return refused;
        }

        return conflicts.Count > 0
            ? Refusal(conflicts[0], decidedBy)
            : await ExecuteStartedAsync(action.Proposal, cycle, decidedBy).ConfigureAwait(false);
    }

    /// <summary>
    /// For the loop: the record to commit in the same transaction as the proposal itself: its <c>execution_started</c>
    /// (a reservation, see <see cref="Reservations"/>), or the refusal. A crash after that commit leaves a start
    /// without an outcome, which the next cycle records as interrupted.
    /// </summary>
    public (AuditEvent Record, ExecutionRecord? Refused) Plan(CheckedAction action, long cycle, string decidedBy)
    {
        var proposal = action.Proposal;
        if (action.Refusal is { } refusal)
        {
            var refused = Record(proposal, ProposalState.Refused, decidedBy, refusal, null);
            return (Event(cycle, AuditKind.Execution, $"not run: {refusal}", proposal, ActionsJson.Records.Serialize(refused)), refused);
        }

        var executor = ExecutorFor(proposal).Name;
        var start = new ExecutionStart(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, decidedBy, executor,
            action.Now!.Prediction.ProbabilityLongWait, action.Now.Prediction.Confidence, action.Calibration!);
        return (Event(cycle, AuditKind.ExecutionStarted, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}) started by {decidedBy} via {executor}", proposal,
            ActionsJson.Records.Serialize(start)), null);
    }

    /// <summary>How a start reserves its job and tier, and the refusal written when another holds them.</summary>
    public ReservationRules Reservations(string decidedBy) => new(TimeSpan.FromMinutes(options.DedupeMinutes), HoldsReservation, conflict =>
    {
        var refused = Refusal(conflict, decidedBy);
        var start = conflict.Start;
        return new AuditEvent(0, start.At, start.Cycle, AuditKind.Execution, start.JobId, start.Tier, start.ProposalId, $"not run: {refused.Detail}", ActionsJson.Records.Serialize(refused));
    });

    /// <summary>
    /// Whether a start with this outcome so far holds its job and tier: in flight (none yet), executed or interrupted.
    /// A failed or refused attempt holds nothing: its effect did not happen.
    /// </summary>
    private static bool HoldsReservation(string? outcome) =>
        outcome is null || (WireNames.TryParse(outcome, out ProposalState state) && state is ProposalState.Executed or ProposalState.Interrupted);

    /// <summary>The refusal of a start that lost its reservation, from the start's own record.</summary>
    public ExecutionRecord Refusal(ReservationConflict conflict, string decidedBy)
    {
        var start = ActionsJson.Records.Deserialize<ExecutionStart>(conflict.Start.Payload ?? "{}");
        var what = $"{conflict.Start.JobId} tier {conflict.Start.Tier}";
        var holder = WireNames.TryParse(conflict.HolderState, out ProposalState held) ? held : (ProposalState?)null;
        var detail = holder switch
        {
            null => $"already running: {what} is reserved by {conflict.HolderProposalId}, started at {conflict.HolderAt:u} and still in flight",
            ProposalState.Interrupted => $"already started once: {what} was started by {conflict.HolderProposalId} at {conflict.HolderAt:u} and interrupted; check its effect by hand",
            _ => $"already done: {what} ran as {conflict.HolderProposalId} at {conflict.HolderAt:u}, within the {options.DedupeMinutes:0}-minute window",
        };
        return new ExecutionRecord(conflict.Start.ProposalId ?? "", conflict.Start.JobId ?? "", conflict.Start.Tier ?? 0, start?.Action ?? "", ProposalState.Refused,
            decidedBy, detail, null, "", "");
    }

    /// <summary>Runs a proposal whose <c>execution_started</c> record is committed, and records the outcome.</summary>
    public async Task<ExecutionRecord> ExecuteStartedAsync(ActionProposal proposal, long cycle, string decidedBy)
    {
        var executor = ExecutorFor(proposal);
        using var activity = CopilotTelemetry.Source.StartActivity($"action {proposal.Action}");
        activity?.SetTag("vgac.action", proposal.Action);
        activity?.SetTag("vgac.tier", proposal.Tier);
        activity?.SetTag("vgac.proposal_id", proposal.ProposalId);
        activity?.SetTag("vgac.cluster", audit.Cluster);
        LogActionStarted(proposal.Action, proposal.JobId, proposal.Tier, proposal.ProposalId, decidedBy, executor.Name);
        ExecutionOutcome outcome;
        try
        {
            outcome = await executor.ExecuteAsync(
                new ExecutionRequest(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, proposal.PreviewKind, proposal.Preview), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the executor did, its start is in the trail: so is an outcome, never a start left open.
            outcome = new ExecutionOutcome(executor.Name, false, false, $"the {executor.Name} executor failed before it could say what happened: {(ex.Message is { Length: > 0 } m ? Core.Text.UntrustedText.Clean(m, 200) : "no reason given")}");
        }
        var record = Record(proposal, outcome.Delivered ? ProposalState.Executed : ProposalState.Failed, decidedBy, outcome.Detail, outcome);

        // The outcome is recorded even when the caller is cancelling: an effect that happened must be in the trail.
        await audit.AppendAsync([Event(cycle, AuditKind.Execution, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {outcome.Detail}", proposal, ActionsJson.Records.Serialize(record))],
            CancellationToken.None).ConfigureAwait(false);
        return record;
    }

    private IActionExecutor ExecutorFor(ActionProposal proposal) =>
        executors.FirstOrDefault(e => e is not DryRunExecutor && e.Handles(proposal.PreviewKind)) ?? dryRun;


    /// <summary>Every outcome goes through here: the record, its metric and its log line.</summary>
    private ExecutionRecord Record(ActionProposal p, ProposalState state, string decidedBy, string detail, ExecutionOutcome? outcome)
    {
        var outcomeName = state.Wire();
        CopilotTelemetry.Actions.Add(1, new("vgac.tier", p.Tier), new("vgac.action", p.Action), new("vgac.outcome", outcomeName), new("vgac.cluster", audit.Cluster));
        Activity.Current?.SetTag("vgac.outcome", outcomeName);
        LogActionOutcome(p.Action, p.JobId, p.Tier, p.ProposalId, outcomeName, detail);
        return new(p.ProposalId, p.JobId, p.Tier, p.Action, state, decidedBy, detail, outcome, p.PreviewKind, p.Preview);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Action {Action} on {JobId} (tier {Tier}, {ProposalId}) started by {DecidedBy} via {Executor}")]
    private partial void LogActionStarted(string action, string jobId, int tier, string proposalId, string decidedBy, string executor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Action {Action} on {JobId} (tier {Tier}, {ProposalId}): {State}: {Detail}")]
    private partial void LogActionOutcome(string action, string jobId, int tier, string proposalId, string state, string detail);

    private AuditEvent Event(long cycle, AuditKind kind, string summary, ActionProposal p, string? payload) =>
        new(0, clock.Now, cycle, kind, p.JobId, p.Tier, p.ProposalId, summary, payload);
}
