using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Actions;

/// <summary>
/// How an incremental <c>audit --check</c> picks up where the last clean one stopped: the chain from the verified
/// point in the anchor, the guards' judgement from that record's time less the window they look back over (the audit
/// age and the dedupe window), so an execution just after the point is still judged with the audits before it.
/// </summary>
public static class TrailCheck
{
    /// <summary>From when the guard check judges records, for a chain walked from <see cref="ChainReport.From"/>; null (everything) for a whole walk.</summary>
    public static DateTimeOffset? Since(ChainReport chain, GuardOptions guards, ActionOptions watch) =>
        chain.From?.At is { } at
            ? at - TimeSpan.FromMinutes(Math.Max(guards.AuditMaxAgeMinutes, watch.DedupeMinutes))
            : null;

    /// <summary>Records a clean check's tip as verified in the anchor (the next check starts there); a failure to write it is not a failure of the check.</summary>
    public static void Verified(AuditStore store, ChainReport chain)
    {
        if (store.Anchor is { } anchor && chain is { Intact: true, Tip: { } tip } && (store.Key is not null || chain.Keyed == 0))
        {
            try
            {
                anchor.Checked(tip);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The next check walks a little more.
            }
        }
    }
}
