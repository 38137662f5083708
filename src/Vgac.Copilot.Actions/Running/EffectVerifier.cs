using System.Globalization;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>What the cycle after an execution found: did the effect happen, and how is the job doing.</summary>
public sealed record VerificationRecord(string ProposalId, string JobId, string Effect, string? JobState, double? WaitedSeconds, bool? LongWait, string Detail);

/// <summary>
/// The cycle after an action ran: records whether its effect is confirmed (a receiver's acknowledgement; for a dry
/// run or a preview, that nothing was changed) and what became of the job. Also finds executions that started but
/// never recorded an outcome (the process died in between) and records them as interrupted; they are not retried.
/// </summary>
public sealed class EffectVerifier(
    IVgacClient vgac, AuditStore audit, WatchClock clock, IEnumerable<Executors.IActionExecutor> executors, Audit.Storage.LeaseFenceHolder? fences = null)
{
    private readonly DateTimeOffset _processStarted = clock.Now;
    private long _token;
    private DateTimeOffset _leadingSince = DateTimeOffset.MinValue;

    /// <summary>Grace for an execution another process (an approval, say) may still be finishing.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<AuditEvent>> VerifyAsync(long cycle, CancellationToken cancellationToken)
    {
        var now = clock.Now;
        var since = now.AddDays(-7);
        var trail = await audit.QueryAsync(since, cancellationToken: cancellationToken,
            kinds: [AuditKind.ExecutionStarted, AuditKind.Execution, AuditKind.Verification]).ConfigureAwait(false);
        var started = trail.Where(e => e.Kind == AuditKind.ExecutionStarted).ToList();
        var executed = trail.Where(e => e.Kind == AuditKind.Execution && e.ProposalId is not null)
            .GroupBy(e => e.ProposalId!, StringComparer.Ordinal) // one per proposal by design; a stray second must not stop every cycle
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var verified = trail.Where(e => e.Kind == AuditKind.Verification).Select(e => e.ProposalId).ToHashSet(StringComparer.Ordinal);

        // A replica that has just taken over the watch: the loop's own starts from before then were the previous
        // leader's, which is dead or fenced out, so nobody will record their outcome.
        if (fences?.Current is { } fence && fence.Token != _token)
        {
            (_token, _leadingSince) = (fence.Token, now);
        }

        var records = new List<AuditEvent>();
        foreach (var start in started.Where(s => s.ProposalId is not null && !executed.ContainsKey(s.ProposalId)))
        {
            if (start.At < _processStarted || now - start.At > InFlightGrace || (start.At < _leadingSince && ByTheLoop(start)))
            {
                var record = new ExecutionRecord(start.ProposalId!, start.JobId ?? "", start.Tier ?? 0, "", ProposalState.Interrupted, "recovery",
                    "the process stopped after starting this action and before recording its outcome; it is not retried (at most once) - check its effect by hand", null, "", "");
                records.Add(new AuditEvent(0, now, cycle, AuditKind.Execution, start.JobId, start.Tier, start.ProposalId, $"interrupted: {record.Detail}", ActionsJson.Records.Serialize(record)));
            }
        }

        foreach (var e in executed.Values.Where(e => e.Cycle < cycle && !verified.Contains(e.ProposalId)))
        {
            if (e.Payload is not { } json || ActionsJson.Records.Deserialize<ExecutionRecord>(json) is not { State: ProposalState.Executed } execution)
            {
                continue;
            }

            var check = await CheckAsync(execution, cancellationToken).ConfigureAwait(false);
            records.Add(new AuditEvent(0, now, cycle, AuditKind.Verification, e.JobId, e.Tier, e.ProposalId, check.Detail, ActionsJson.Records.Serialize(check)));
        }

        return records;
    }

    private static bool ByTheLoop(AuditEvent start) =>
        start.Payload is { } json && ActionsJson.Records.Deserialize<ExecutionStart>(json) is { } payload && payload.DecidedBy.StartsWith("autonomy", StringComparison.Ordinal);

    private async Task<VerificationRecord> CheckAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        // An executor that acted on the scheduler reads its effect back from there, not only from VGAC.
        var reader = execution.Outcome is { DryRun: false } done ? executors.OfType<Executors.IEffectReader>().FirstOrDefault(r => r.Reads(done.Executor)) : null;
        var effect = execution.Outcome switch
        {
            _ when reader is not null => await reader.VerifyAsync(
                new Executors.ExecutionRequest(execution.ProposalId, execution.JobId, execution.Tier, execution.Action, execution.PreviewKind, execution.Preview), cancellationToken).ConfigureAwait(false),
            { DryRun: true } => "dry run: recorded only, nothing changed, as intended",
            { StatusCode: { } status } => string.Create(CultureInfo.InvariantCulture, $"receiver acknowledged delivery (HTTP {status})"),
            { } outcome => outcome.Detail,
            null => "no outcome recorded",
        };
        JobInfo job;
        try
        {
            job = await vgac.GetJobAsync(execution.JobId, cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new VerificationRecord(execution.ProposalId, execution.JobId, effect, null, null, null, $"{effect}; job {execution.JobId} is no longer known to VGAC");
        }

        var waited = job.WaitSeconds ?? (job.State == JobState.Pending && job.SubmitTime is { } submitted ? (clock.Now - submitted).TotalSeconds : null);
        var state = job.State.ToString().ToLowerInvariant();
        var waitedText = job.WaitSeconds is { } w ? string.Create(CultureInfo.InvariantCulture, $" after waiting {w / 60:0} min") : "";
        var verdict = job.LongWait switch { true => " (a long wait, as predicted)", false => " (not a long wait)", null => "" };
        var detail = job.State == JobState.Pending ? $"{effect}; job {job.JobId} still pending" : $"{effect}; job {job.JobId} is {state}{waitedText}{verdict}";
        return new VerificationRecord(execution.ProposalId, execution.JobId, effect, state, waited, job.LongWait, detail);
    }
}
