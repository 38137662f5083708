using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>Totals of an audit trail and every guard violation found in it (there should be none).</summary>
public sealed record AuditCheckReport(
    long Cycles,
    int Outages,
    int Proposals,
    int Blocked,
    int Executed,
    int Refused,
    int Failed,
    int Interrupted,
    int Verified,
    IReadOnlyDictionary<string, int> ExecutedByAction,
    IReadOnlyList<string> Violations)
{
    public bool Clean => Violations.Count == 0;

    /// <summary>The whole trail's hash chain (every cluster's records): verified, or where it breaks.</summary>
    public ChainReport? Chain { get; init; }
}

/// <summary>
/// Re-checks an audit trail from its own records, independently of the code that wrote it: every executed action
/// must rest on a proposal the guards allowed, with confidence at the gate and probability at the tier's threshold,
/// and be judged by the calibration in force when it started: the one its start record carries, made worse by any
/// audit the trail holds from before the start that the start did not account for (an execution under such stale
/// calibration is a violation). Unattended runs must be within the autonomy that ran them; at most one execution per
/// proposal and per job and tier in the window.
/// </summary>
/// <param name="audit">The cluster's view of the trail.</param>
/// <param name="guards">The cluster's guards.</param>
/// <param name="options">The cluster's watch settings (the dedupe window).</param>
/// <param name="vgacBaseUrl">The cluster's configured VGAC: only audits of it count, as in the guards (null: every audit counts).</param>
public sealed class AuditCheck(AuditStore audit, GuardPolicy guards, ActionOptions options, string? vgacBaseUrl = null)
{
    private static readonly AuditKind[] JudgedKinds =
    [
        AuditKind.Calibration, AuditKind.Outage, AuditKind.Proposal, AuditKind.Approval, AuditKind.Rejection,
        AuditKind.ExecutionStarted, AuditKind.Execution, AuditKind.Verification,
    ];

    /// <param name="since">Only records at or after this time.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <param name="chain">The trail's hash chain when the caller verified it already (it spans every cluster: a check
    /// per cluster need not walk the whole trail again); verified here when null.</param>
    public async Task<AuditCheckReport> RunAsync(DateTimeOffset? since = null, CancellationToken cancellationToken = default, ChainReport? chain = null)
    {
        // Everything but observations and skipped duplicates (the bulk of a trail, and not needed to judge an action).
        var events = await audit.QueryAsync(since, cancellationToken: cancellationToken, kinds: JudgedKinds).ConfigureAwait(false);
        var calibrationByCycle = events.Where(e => e.Kind == AuditKind.Calibration && e.Payload is not null)
            .GroupBy(e => e.Cycle).ToDictionary(g => g.Key, g => ActionsJson.Records.Deserialize<CalibrationSnapshot>(g.Last().Payload!));
        var proposals = events.Where(e => e.Kind == AuditKind.Proposal && e.ProposalId is not null && e.Payload is not null)
            .ToDictionary(e => e.ProposalId!, e => (Event: e, Proposal: ActionsJson.Records.Deserialize<ActionProposal>(e.Payload!)), StringComparer.Ordinal);
        var executions = events.Where(e => e.Kind == AuditKind.Execution && e.Payload is not null)
            .Select(e => (Event: e, Record: ActionsJson.Records.Deserialize<ExecutionRecord>(e.Payload!))).ToList();
        var violations = new List<string>();

        foreach (var dup in events.Where(e => e.Kind == AuditKind.ExecutionStarted).GroupBy(e => e.ProposalId).Where(g => g.Count() > 1))
        {
            violations.Add($"{dup.Key}: started {dup.Count()} times");
        }

        var executed = executions.Where(x => x.Record?.State == ProposalState.Executed).ToList();
        violations.AddRange(ExecutedAgainstGuards(events, executed, proposals, calibrationByCycle));
        violations.AddRange(ExecutedTwice(executed));

        // Nothing in the trail counts if the trail itself was changed behind the application's back.
        chain ??= await AuditChain.VerifyAsync(audit, cancellationToken).ConfigureAwait(false);
        if (!chain.Intact)
        {
            violations.Insert(0, $"hash chain broken at record {chain.BrokenAt}: {chain.Why}");
        }

        ProposalState? StateOf((AuditEvent Event, ExecutionRecord? Record) x) => x.Record?.State;
        return new AuditCheckReport(
            events.Where(e => e.Kind is AuditKind.Calibration or AuditKind.Outage && e.Cycle != ActionQueue.OutsideTheLoop).Select(e => e.Cycle).Distinct().LongCount(),
            events.Count(e => e.Kind == AuditKind.Outage),
            proposals.Count,
            proposals.Values.Count(p => p.Proposal is { Allowed: false }),
            executed.Count,
            executions.Count(x => StateOf(x) == ProposalState.Refused),
            executions.Count(x => StateOf(x) == ProposalState.Failed),
            executions.Count(x => StateOf(x) == ProposalState.Interrupted),
            events.Count(e => e.Kind == AuditKind.Verification),
            executed.GroupBy(x => x.Record!.Action).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            violations)
        {
            Chain = chain,
        };
    }

    /// <summary>Each executed action against its proposal and the calibration in force when it started (or, for records older than starts, its cycle's).</summary>
    private IEnumerable<string> ExecutedAgainstGuards(
        IReadOnlyList<AuditEvent> events, List<(AuditEvent Event, ExecutionRecord? Record)> executed,
        Dictionary<string, (AuditEvent Event, ActionProposal? Proposal)> proposals, Dictionary<long, CalibrationSnapshot?> calibrationByCycle)
    {
        var starts = events.Where(e => e.Kind == AuditKind.ExecutionStarted && e.ProposalId is not null)
            .GroupBy(e => e.ProposalId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var audits = TrailCalibrationAudits.Audits(events, vgacBaseUrl).ToList();
        foreach (var (e, record) in executed)
        {
            if (!proposals.TryGetValue(e.ProposalId ?? "", out var found) || found.Proposal is not { } proposal)
            {
                yield return $"{e.ProposalId}: executed without a proposal record";
                continue;
            }

            var start = starts.GetValueOrDefault(e.ProposalId!) is { Payload: { } json } s ? (s.At, Start: ActionsJson.Records.Deserialize<ExecutionStart>(json)) : default;
            var judged = start.Start is { } recorded
                ? InForce(recorded, start.At, audits)
                : calibrationByCycle.GetValueOrDefault(found.Event.Cycle) is { } cycle ? new Judged(cycle.EffectiveEce, cycle.Drift, null) : FromBrief(proposal.Prediction.Calibration);
            foreach (var violation in Check(proposal, judged, record!))
            {
                yield return $"{proposal.ProposalId} ({proposal.Action} {proposal.JobId}): {violation}";
            }
        }
    }

    /// <summary>A job given the same tier twice within the dedupe window.</summary>
    private IEnumerable<string> ExecutedTwice(List<(AuditEvent Event, ExecutionRecord? Record)> executed)
    {
        foreach (var group in executed.GroupBy(x => (x.Event.JobId, x.Event.Tier)))
        {
            var times = group.Select(x => x.Event.At).Order().ToList();
            for (var i = 1; i < times.Count; i++)
            {
                if ((times[i] - times[i - 1]).TotalMinutes < options.DedupeMinutes)
                {
                    yield return $"{group.Key.JobId} tier {group.Key.Tier}: executed twice within {options.DedupeMinutes:0} min";
                }
            }
        }
    }

    /// <summary>What an execution was judged on: effective ECE, drift level, and why it is stale (null when it is not).</summary>
    private readonly record struct Judged(double? Ece, DriftLevel Drift, string? Stale);

    private static Judged FromBrief(ProposalCalibration brief) => new(brief.Ece, brief.Drift, null);

    /// <summary>
    /// The calibration in force at a start: the start's own record, made worse by the worst audit of the cluster's
    /// VGAC in the trail from before it (within the audit's maximum age, as the guards weigh them) when that audit is
    /// worse than what the start accounted for.
    /// </summary>
    private Judged InForce(ExecutionStart start, DateTimeOffset at, List<Core.Calibration.AuditedCalibration> audits)
    {
        var c = start.Calibration;
        var maxAge = TimeSpan.FromMinutes(guards.Options.AuditMaxAgeMinutes);
        var worst = Core.Calibration.AuditedCalibration.Worst(audits.Where(a => a.At <= at && at - a.At <= maxAge), guards.Options.LearningModeMinSamples);
        if (worst is null || c.AuditedEce is { } known && known >= worst.Ece)
        {
            return new(c.EffectiveEce, c.Drift, null);
        }

        var drift = guards.Drift(new CalibrationFacts(c.ReportedEce, worst.Ece, c.ReportedSamples, c.Error is null, worst.Samples, worst.EceLow));
        var worse = drift.EffectiveEce > (c.EffectiveEce ?? 0);
        return worse
            ? new(drift.EffectiveEce, drift.Level, $"started under stale calibration: the trail's audit at {worst.At:u} (ECE {worst.Ece:0.000} on {worst.Samples} outcomes) was in force")
            : new(c.EffectiveEce, c.Drift, null);
    }

    /// <summary>A release may only lift a hold and comment on the job it names, outside every tier.</summary>
    private static IEnumerable<string> CheckRelease(ActionProposal proposal, ExecutionRecord record)
    {
        if (proposal.Action != record.Action)
        {
            yield return $"proposed action '{proposal.Action}' but ran '{record.Action}'";
        }

        if (proposal.Tier != 0 || proposal.Rule != GuardRules.OwnGate)
        {
            yield return $"a release must be tier 0 under {GuardRules.OwnGate}, got tier {proposal.Tier} under {proposal.Rule}";
        }

        if (Executors.EffectPreview.Problem(proposal.PreviewKind, proposal.Preview, proposal.JobId, ActionPlanner.ReleaseAction, proposal.ProposalId) is { } problem)
        {
            yield return $"a release may only lift vgac's gate and say who did, but its preview does not: {problem}";
        }
    }

    private IEnumerable<string> Check(ActionProposal proposal, Judged calibration, ExecutionRecord record)
    {
        if (proposal.Action == ActionPlanner.ReleaseAction || record.Action == ActionPlanner.ReleaseAction)
        {
            // A release is judged on what it may do (lift vgac's hold and say so), not on calibration.
            foreach (var violation in CheckRelease(proposal, record))
            {
                yield return violation;
            }

            yield break;
        }

        var o = guards.Options;
        var tier = o.EffectiveTiers.FirstOrDefault(t => t.Tier == proposal.Tier);
        if (!proposal.Allowed)
        {
            yield return "the guards had blocked it";
        }

        if (proposal.Rule == GuardRules.Infeasible || proposal.Prediction.ShownAs == ShownAs.Infeasible)
        {
            // Asked more than the cluster has: no wait makes it start, and nothing may act on it, whatever else it says.
            yield return "the request could not start on the cluster as asked (infeasible): nothing may act on it";
        }

        if (tier is null)
        {
            yield return $"unknown tier {proposal.Tier}";
            yield break;
        }

        // A scheduler preview runs as written: it may do only what its action does (an annotation that holds is not one).
        if (Executors.EffectPreview.Problem(proposal.PreviewKind, proposal.Preview, proposal.JobId, proposal.Action, proposal.ProposalId) is { } effect)
        {
            yield return $"its {(proposal.PreviewKind == "slurm_command" ? "Slurm" : "Kubernetes")} preview is not what a {proposal.Action} runs: {effect}";
        }

        // What a tier does is fixed in code: an action of another kind under this tier's number is not this tier's.
        var fixedAction = GuardOptions.ActionOf(proposal.Tier);
        foreach (var (what, action) in new[] { ("proposed", proposal.Action), ("ran", record.Action) })
        {
            if (!string.Equals(action, fixedAction, StringComparison.Ordinal))
            {
                yield return $"{what} action '{action}' as tier {proposal.Tier}, whose action is {fixedAction}";
            }
        }

        if (proposal.Prediction.Confidence < o.ConfidenceGate)
        {
            yield return $"confidence {proposal.Prediction.Confidence} below the {o.ConfidenceGate} gate";
        }

        if (proposal.Prediction.ProbabilityLongWait < tier.Epsilon)
        {
            yield return $"probability {proposal.Prediction.ProbabilityLongWait} below tier {tier.Tier}'s {tier.Epsilon}";
        }

        var stale = calibration.Stale is { } why ? $" ({why})" : "";
        if (calibration.Ece is not { } ece || ece > tier.MaxEce)
        {
            yield return $"effective ECE {calibration.Ece} above tier {tier.Tier}'s {tier.MaxEce}{stale}";
        }

        var driftAllows = calibration.Drift switch
        {
            DriftLevel.Stable or DriftLevel.Monitor => true,
            DriftLevel.ReduceAutonomy => proposal.Tier == 1,
            _ => false,
        };
        if (!driftAllows)
        {
            yield return $"drift level {calibration.Drift} does not allow tier {proposal.Tier}{stale}";
        }

        if (record.DecidedBy.StartsWith("autonomy ", StringComparison.Ordinal)
            && !AutonomyPolicy.MayRunUnattended(Enum.Parse<Autonomy>(record.DecidedBy["autonomy ".Length..], ignoreCase: true), proposal.Tier, proposal.Allowed))
        {
            yield return $"ran unattended under {record.DecidedBy}, which does not cover tier {proposal.Tier}";
        }
    }
}
