using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Plugins.Results;

namespace Vgac.Copilot.Watch.Actions;

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
}

/// <summary>
/// Re-checks an audit trail from its own records, independently of the code that wrote it: every executed action
/// must rest on a proposal the guards allowed, with confidence at the gate, probability at the tier's threshold,
/// the cycle's effective ECE within the tier's limit and its drift level permitting the tier; unattended runs must
/// be within the autonomy that ran them; at most one execution per proposal and per job and tier in the window.
/// </summary>
public sealed class AuditCheck(AuditStore audit, GuardPolicy guards, WatchOptions options)
{
    private static readonly string[] JudgedKinds =
    [
        AuditKinds.Calibration, AuditKinds.Outage, AuditKinds.Proposal, AuditKinds.Approval, AuditKinds.Rejection,
        AuditKinds.ExecutionStarted, AuditKinds.Execution, AuditKinds.Verification,
    ];

    public async Task<AuditCheckReport> RunAsync(DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        // Everything but observations and skipped duplicates (the bulk of a trail, and not needed to judge an action).
        var events = await audit.QueryAsync(since, cancellationToken: cancellationToken, kinds: JudgedKinds).ConfigureAwait(false);
        var calibrationByCycle = events.Where(e => e.Kind == AuditKinds.Calibration && e.Payload is not null)
            .GroupBy(e => e.Cycle).ToDictionary(g => g.Key, g => WatchJson.Deserialize<CalibrationSnapshot>(g.Last().Payload!));
        var proposals = events.Where(e => e.Kind == AuditKinds.Proposal && e.ProposalId is not null && e.Payload is not null)
            .ToDictionary(e => e.ProposalId!, e => (Event: e, Proposal: WatchJson.Deserialize<ProposalResult>(e.Payload!)), StringComparer.Ordinal);
        var executions = events.Where(e => e.Kind == AuditKinds.Execution && e.Payload is not null)
            .Select(e => (Event: e, Record: WatchJson.Deserialize<ExecutionRecord>(e.Payload!))).ToList();
        var violations = new List<string>();

        foreach (var dup in events.Where(e => e.Kind == AuditKinds.ExecutionStarted).GroupBy(e => e.ProposalId).Where(g => g.Count() > 1))
        {
            violations.Add($"{dup.Key}: started {dup.Count()} times");
        }

        var executed = executions.Where(x => x.Record?.State == ProposalStates.Executed).ToList();
        foreach (var (e, record) in executed)
        {
            if (!proposals.TryGetValue(e.ProposalId ?? "", out var found) || found.Proposal is not { } proposal)
            {
                violations.Add($"{e.ProposalId}: executed without a proposal record");
                continue;
            }

            // A loop proposal is judged against its cycle's calibration record; one made outside the loop against the
            // calibration its verdict carried.
            var calibration = calibrationByCycle.GetValueOrDefault(found.Event.Cycle) ?? FromBrief(proposal.Prediction.Calibration);
            violations.AddRange(Check(proposal, calibration, record!).Select(v => $"{proposal.ProposalId} ({proposal.Action} {proposal.JobId}): {v}"));
        }

        foreach (var group in executed.GroupBy(x => (x.Event.JobId, x.Event.Tier)))
        {
            var times = group.Select(x => x.Event.At).Order().ToList();
            for (var i = 1; i < times.Count; i++)
            {
                if ((times[i] - times[i - 1]).TotalMinutes < options.DedupeMinutes)
                {
                    violations.Add($"{group.Key.JobId} tier {group.Key.Tier}: executed twice within {options.DedupeMinutes:0} min");
                }
            }
        }

        string? StateOf((AuditEvent Event, ExecutionRecord? Record) x) => x.Record?.State;
        return new AuditCheckReport(
            events.Where(e => e.Kind is AuditKinds.Calibration or AuditKinds.Outage).Select(e => e.Cycle).Distinct().LongCount(),
            events.Count(e => e.Kind == AuditKinds.Outage),
            proposals.Count,
            proposals.Values.Count(p => p.Proposal is { Allowed: false }),
            executed.Count,
            executions.Count(x => StateOf(x) == ProposalStates.Refused),
            executions.Count(x => StateOf(x) == ProposalStates.Failed),
            executions.Count(x => StateOf(x) == ProposalStates.Interrupted),
            events.Count(e => e.Kind == AuditKinds.Verification),
            executed.GroupBy(x => x.Record!.Action).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            violations);
    }

    private static CalibrationSnapshot? FromBrief(CalibrationBrief brief)
    {
        var level = Enum.GetValues<DriftLevel>().Cast<DriftLevel?>()
            .FirstOrDefault(l => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(l!.Value.ToString()) == brief.Drift);
        return level is { } known ? new CalibrationSnapshot(null, null, 0, brief.Ece, brief.DriftRatio, known, null, "from the proposal's verdict") : null;
    }

    private IEnumerable<string> Check(ProposalResult proposal, CalibrationSnapshot? calibration, ExecutionRecord record)
    {
        var o = guards.Options;
        var tier = o.EffectiveTiers.FirstOrDefault(t => t.Tier == proposal.Tier);
        if (!proposal.Allowed)
        {
            yield return "the guards had blocked it";
        }

        if (tier is null)
        {
            yield return $"unknown tier {proposal.Tier}";
            yield break;
        }

        if (proposal.Prediction.Confidence < o.ConfidenceGate)
        {
            yield return $"confidence {proposal.Prediction.Confidence} below the {o.ConfidenceGate} gate";
        }

        if (proposal.Prediction.ProbabilityLongWait < tier.Epsilon)
        {
            yield return $"probability {proposal.Prediction.ProbabilityLongWait} below tier {tier.Tier}'s {tier.Epsilon}";
        }

        if (calibration is null)
        {
            yield return "no calibration record in its cycle";
            yield break;
        }

        if (calibration.EffectiveEce is not { } ece || ece > tier.MaxEce)
        {
            yield return $"effective ECE {calibration.EffectiveEce} above tier {tier.Tier}'s {tier.MaxEce}";
        }

        var driftAllows = calibration.Drift switch
        {
            DriftLevel.Stable or DriftLevel.Monitor => true,
            DriftLevel.ReduceAutonomy => proposal.Tier == 1,
            _ => false,
        };
        if (!driftAllows)
        {
            yield return $"drift level {calibration.Drift} does not allow tier {proposal.Tier}";
        }

        if (record.DecidedBy.StartsWith("autonomy ", StringComparison.Ordinal)
            && !AutonomyPolicy.MayRunUnattended(Enum.Parse<Autonomy>(record.DecidedBy["autonomy ".Length..], ignoreCase: true), proposal.Tier, proposal.Allowed))
        {
            yield return $"ran unattended under {record.DecidedBy}, which does not cover tier {proposal.Tier}";
        }
    }
}
