using Vgac.Copilot.Core.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Actions;

/// <summary>
/// What an action would do and whether the guards allow it, as the application (and its audit trail) records it:
/// the tier's action on one job, the rule that decided, and the exact preview (a Kubernetes annotation patch, a Slurm
/// command, or a notification payload), with the numbers it rests on.
/// </summary>
public sealed record ActionProposal(
    string ProposalId,
    string JobId,
    int Tier,
    string Action,
    bool Allowed,
    string Rule,
    string Reason,
    string PreviewKind,
    string Preview,
    ProposalPrediction Prediction)
{
    /// <summary>
    /// The planner's id hashes the job, tier and numbers, so the same proposal made again later would repeat it. The
    /// trail allows one decision and one start per id, so each proposal it records is stamped with where it was made
    /// (the cycle, or <c>i</c>, the time and a random suffix for one made outside the loop).
    /// </summary>
    public ActionProposal Stamped(string stamp) => this with { ProposalId = $"{ProposalId}-{stamp}" };
}

/// <summary>
/// The prediction behind a proposal: its numbers and how the guards showed it, with the conformal wait interval
/// (<see cref="WaitInterval"/>) when the prediction was confident and the history backed one.
/// </summary>
public sealed record ProposalPrediction(
    ShownAs ShownAs, double ProbabilityLongWait, double Confidence, double? EstimatedWaitSeconds, int HighestTier, ProposalCalibration Calibration,
    Vgac.Copilot.Calibration.WaitInterval? WaitInterval = null)
{
    public static ProposalPrediction From(GuardedEstimate p) => new(
        p.ShownAs, Math.Round(p.Probability, 3), Math.Round(p.Confidence, 3), p.EstimatedWaitSeconds is { } w ? Math.Round(w) : null, p.Guards.HighestTier,
        new ProposalCalibration(p.Guards.Drift.EffectiveEce is { } e ? Math.Round(e, 4) : null, p.Guards.Drift.Level, p.Guards.Drift.Ratio is { } r ? Math.Round(r, 2) : null,
            p.Guards.Drift.SampleCount),
        p.Wait?.Interval);
}

/// <summary>The calibration a proposal was judged under.</summary>
public sealed record ProposalCalibration(double? Ece, DriftLevel Drift, double? DriftRatio, int Samples);

/// <summary>A proposal and the guarded prediction (verdicts, calibration in force) it was made from.</summary>
public sealed record PlannedAction(ActionProposal Proposal, GuardedJobPrediction Prediction);

/// <summary>
/// What became of a request to carry out an action. <c>Outcome</c> is <c>executed</c>, <c>recorded_dry_run</c>,
/// <c>blocked_by_guard</c>, <c>not_approved</c>, <c>queued_for_approval</c> (no one could be asked; see <see cref="ApproveCommand"/>), <c>refused</c> or <c>failed</c>.
/// </summary>
public sealed record ApplyResult(string ProposalId, string JobId, int Tier, string Action, bool Executed, string Outcome, string Reason, bool DryRun, string Preview)
{
    /// <summary>For a proposal queued for approval (<c>queued_for_approval</c>): the command a person runs to approve it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApproveCommand { get; init; }

    public static ApplyResult NotRun(ActionProposal p, string outcome, string reason) =>
        new(p.ProposalId, p.JobId, p.Tier, p.Action, false, outcome, reason, DryRun: true, p.Preview);

    /// <summary>What became of an approval (<see cref="ActionQueue.ApproveAsync(Approval, CancellationToken)"/>), as the faces that answer with one say it.</summary>
    public static ApplyResult Of(ExecutionRecord run, Approval approval)
    {
        var executed = run.State == ProposalState.Executed;
        var dryRun = run.Outcome?.DryRun ?? true;
        var (outcome, reason) = run.State switch
        {
            ProposalState.Executed => (dryRun ? "recorded_dry_run" : "executed", $"{Capital(approval.Summary)}. {run.Detail}"),
            ProposalState.Blocked => ("blocked_by_guard", run.Detail),
            var state => (state.Wire(), $"{Capital(approval.Summary)}. {run.Detail}"),
        };
        return new(run.ProposalId, run.JobId, run.Tier, run.Action, executed, outcome, reason, dryRun, run.Preview);
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>A request about an action the caller must change (a tier out of range, a job that is not pending). Says which and why.</summary>
public sealed class ActionInputException(string message) : Exception(message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PatchJsonContext : JsonSerializerContext;
