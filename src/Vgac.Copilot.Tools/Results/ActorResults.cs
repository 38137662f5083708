namespace Vgac.Copilot.Tools.Results;

public sealed record PolicyResult(string JobId, PredictionBrief Prediction, string? PreemptionPolicy, double? MemoryHintGb, string? PolicyReason, IReadOnlyDictionary<string, double>? ExpectedWaitRangeSeconds);

public sealed record AdmissionResult(bool Allowed, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, string> Annotations, string? Message);

/// <summary>
/// What an action would do and whether the guards allow it. <c>preview</c> is exact: the Kubernetes annotation
/// patch, the Slurm command, or the notification payload.
/// </summary>
public sealed record ProposalResult(
    string ProposalId,
    string JobId,
    int Tier,
    string Action,
    bool Allowed,
    string Rule,
    string Reason,
    string PreviewKind,
    string Preview,
    PredictionBrief Prediction)
{
    /// <summary>
    /// What the scheduler said of the preview when it was checked there before any approval (the Kubernetes
    /// executor's server-side dry run); absent when nothing checks previews of this kind.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? SchedulerCheck { get; init; }

    /// <summary>The application's proposal as the tool shows it, with the prediction's full verdicts beside it.</summary>
    public static ProposalResult From(Actions.PlannedAction planned, string? schedulerCheck = null)
    {
        var p = planned.Proposal;
        return new(p.ProposalId, p.JobId, p.Tier, p.Action, p.Allowed, p.Rule, p.Reason, p.PreviewKind, p.Preview, PredictionBrief.From(planned.Prediction))
        {
            SchedulerCheck = schedulerCheck,
        };
    }
}
