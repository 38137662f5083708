using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Actions;

/// <summary>The calibration an execution started under: what VGAC reported, what the copilot audited, and the verdict.</summary>
public sealed record CalibrationInForce(
    double? ReportedEce, int ReportedSamples, double? AuditedEce, int AuditedSamples, double? EffectiveEce, DriftLevel Drift, double? DriftRatio, string? Error,
    double? AuditedEceLow = null)
{
    public static CalibrationInForce From(CalibrationStatus status, DriftVerdict drift) => new(
        status.ReportedEce, status.ReportedSamples, status.AuditedEce, status.AuditedSamples, drift.EffectiveEce, drift.Level, drift.Ratio, status.Error, status.AuditedEceLow);
}

/// <summary>The payload of an <c>execution_started</c> record: who let it run, through what, on which numbers and calibration.</summary>
public sealed record ExecutionStart(
    string ProposalId, string JobId, int Tier, string Action, string DecidedBy, string Executor, double Probability, double Confidence, CalibrationInForce Calibration);

/// <summary>
/// A proposal the guards were asked about again just now, on a fresh prediction and calibration read past every
/// cache. Only <see cref="ActionRunner"/> makes one (<see cref="ActionRunner.CheckAsync"/>, or
/// <see cref="ActionRunner.Judge"/> on a plan just made) and only a checked action can run: there is no flag to
/// forget and no path that runs on the verdict made when it was proposed.
/// </summary>
public sealed class CheckedAction
{
    internal CheckedAction(ActionProposal proposal, string? refusal, ActionProposal? now, CalibrationInForce? calibration)
    {
        (Proposal, Refusal, Now, Calibration) = (proposal, refusal, now, calibration);
    }

    /// <summary>What was proposed (and, where a person decided, what they saw): its preview is what runs.</summary>
    public ActionProposal Proposal { get; }

    /// <summary>Why it may not run now; null when it may.</summary>
    public string? Refusal { get; }

    /// <summary>The guards' proposal now, when VGAC could be asked.</summary>
    public ActionProposal? Now { get; }

    /// <summary>The calibration in force at the check.</summary>
    public CalibrationInForce? Calibration { get; }

    public bool MayRun => Refusal is null;

    /// <summary>
    /// A release of vgac's own gate: it lifts what vgac did, so calibration does not hold it back; the calibration the
    /// gate ran under is kept with it.
    /// </summary>
    internal static CheckedAction Release(ActionProposal release, CalibrationInForce gateCalibration) => new(release, null, release, gateCalibration);

    /// <summary>The same verdict for the proposal as it is recorded (stamped with where it was made).</summary>
    internal CheckedAction For(ActionProposal recorded) => new(recorded, Refusal, Now, Calibration);
}
