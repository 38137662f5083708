using System.Globalization;
using System.Text;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>The audit trail and the approval queue for people.</summary>
internal static class TrailText
{
    /// <param name="e">The record.</param>
    /// <param name="cluster">Whether to name its cluster (a trail of several).</param>
    public static string Event(AuditEvent e, bool cluster = false) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {(cluster ? $"{e.Cluster,-8} " : "")}#{e.Cycle,-5} {e.Kind.Wire(),-18} {e.JobId ?? "-",-14} {e.Summary}");

    public static string Check(AuditCheckReport r, string path)
    {
        var s = new StringBuilder();
        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"audit trail {path}: {r.Cycles} cycles ({r.Outages} outages), {r.Proposals} proposals ({r.Blocked} blocked by the guards), {r.Executed} executed, {r.Refused} refused at run time, {r.Failed} failed, {r.Interrupted} interrupted, {r.Verified} verified"));
        if (r.ExecutedByAction.Count > 0)
        {
            s.AppendLine("  executed by action: " + string.Join(", ", r.ExecutedByAction.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")));
        }

        if (r.Chain is { } chain)
        {
            s.AppendLine(chain.Intact
                ? string.Create(CultureInfo.InvariantCulture, $"  hash chain: {chain.Verified} records verified{(chain.From is { } from ? $" since record {from.Id}, where the last clean check stopped (--full walks the whole trail)" : "")}{(chain.Unchained > 0 ? $" ({chain.Unchained} written before the chain)" : "")}")
                : string.Create(CultureInfo.InvariantCulture, $"  hash chain: BROKEN at record {chain.BrokenAt}: {chain.Why}"));
            s.AppendLine(ChainKey(chain));
            if (chain.Anchor is { } anchor)
            {
                s.AppendLine($"  anchor: the trail {anchor}");
            }
        }

        s.Append(r.Clean ? "  guard check: no violations" : $"  guard check: {r.Violations.Count} VIOLATION(S)");
        foreach (var v in r.Violations.Take(20))
        {
            s.AppendLine().Append("    ").Append(v);
        }

        return s.ToString();
    }

    /// <summary>What the chain's links were checked with, plainly: the key, or that there was none to check with.</summary>
    private static string ChainKey(ChainReport chain) => chain switch
    {
        { KeyOrigin: null, Keyed: > 0 } => FormattableString.Invariant(
            $"  key: NONE to check with: {chain.Unverifiable} keyed records were checked for their links only (set VGAC_AUDIT_KEY or Storage:AuditKeyFile)"),
        { KeyOrigin: null } => "  key: none; the links are plain SHA-256, which anyone who can write the trail can recompute",
        _ => FormattableString.Invariant(
            $"  key: {chain.KeyOrigin}; {chain.Keyed} records keyed{(chain.Legacy > 0 ? FormattableString.Invariant($", {chain.Legacy} from before the trail was keyed (plain SHA-256)") : "")}"),
    };

    /// <summary>The column names above <see cref="Row"/>s.</summary>
    public static string Header => $"{"PROPOSAL",-22} {"PROPOSED",-11} {"JOB",-14} T {"ACTION",-9} {"P(LONG)",-7} {"CONF",-4}  STATE";

    public static string Row(ProposalRecord r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{r.Proposal.ProposalId,-22} {r.ProposedAt.ToLocalTime():MM-dd HH:mm} {r.Proposal.JobId,-14} {r.Proposal.Tier} {r.Proposal.Action,-9} {r.Proposal.Prediction.ProbabilityLongWait,7:0.00} {r.Proposal.Prediction.Confidence,4:0.00}  {r.State.Wire()}");

    public static string Detail(ProposalRecord r)
    {
        var p = r.Proposal;
        var s = new StringBuilder();
        s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{p.ProposalId}: {p.Action} job {p.JobId} (tier {p.Tier}), proposed {r.ProposedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} in cycle {r.Cycle}"));
        s.AppendLine($"  state       {r.State.Wire()}");
        s.AppendLine($"  guards      {(p.Allowed ? "allowed" : "blocked")} by {p.Rule}: {p.Reason}");
        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  prediction  P(long wait) {p.Prediction.ProbabilityLongWait:0.###}, confidence {p.Prediction.Confidence:0.###}, shown as {p.Prediction.ShownAs.Spoken()}{(p.Prediction.EstimatedWaitSeconds is { } w ? $", about {w / 60:0} min" : "")}"));
        s.AppendLine($"  preview     ({p.PreviewKind}) {p.Preview}");
        foreach (var e in r.History)
        {
            s.AppendLine("  " + Event(e));
        }

        return s.ToString().TrimEnd();
    }
}
