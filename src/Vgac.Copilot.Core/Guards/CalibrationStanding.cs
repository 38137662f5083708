using System.Globalization;
using System.Text;

namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// One calibration verdict: the drift judgement and what each tier may do under it (see
/// <see cref="GuardPolicy.Standing"/>), told in one line that reconciles the SLOs, the tiers' ECE limits and drift:
/// what may act now and why.
/// </summary>
public sealed record CalibrationStanding(DriftVerdict Drift, IReadOnlyList<TierVerdict> Tiers)
{
    /// <summary>The tiers calibration lets act now, lowest first.</summary>
    public IReadOnlyList<TierVerdict> MayAct => [.. Tiers.Where(t => t.Allowed)];

    /// <summary>The highest tier that may act, 0 when none may.</summary>
    public int HighestTier => MayAct.Select(t => t.Tier).DefaultIfEmpty(0).Max();

    /// <summary>
    /// The one line: the SLOs (when an audit measured them: reported, they hold nothing back), the figure drift is
    /// judged on and its level, then which tiers may act and why the others may not. For example: "SLOs failed (ECE
    /// 0.053 > 0.050; mce, psi): reported, they hold nothing back. Drift judged on ECE 0.026 (1.4x the 0.018
    /// baseline): stable. Tiers 1-3 (annotate, warn, suggest) may act; tier 4 needs ECE ≤ 0.030, it is 0.049."
    /// </summary>
    public string Line(IReadOnlyList<Calibration.SloCheck>? slos = null)
    {
        var text = new StringBuilder();
        if (slos is not null)
        {
            var failed = slos.Where(s => s.Met == false).ToList();
            text.Append(failed.Count == 0
                ? "SLOs met. "
                : $"SLO{(failed.Count == 1 ? "" : "s")} failed ({string.Join("; ", failed.Select(Slo))}): reported, they hold nothing back. ");
        }

        var d = Drift;
        text.Append(d.Level switch
        {
            DriftLevel.Unknown => "No calibration figure is known. ",
            DriftLevel.LearningMode => I($"Only {d.SampleCount} outcomes (learning mode below {d.MinimumSamples}). "),
            _ => I($"Drift judged on ECE {d.JudgedEce ?? d.EffectiveEce:0.000} ({d.Ratio:0.0}x the {d.BaselineEce:0.000} baseline): {Level(d.Level)}. "),
        });

        var may = MayAct;
        if (may.Count == 0)
        {
            text.Append("No tier may act").Append(Tiers.Count > 0 ? $": {Why(Tiers[0])}." : ".");
            return text.ToString();
        }

        text.Append(may.Count == 1 ? $"Only tier {may[0].Tier} ({may[0].Action}) may act" : $"Tiers {Range(may)} ({string.Join(", ", may.Select(t => t.Action))}) may act");
        var held = Tiers.Where(t => !t.Allowed).ToList();
        text.Append(held.Count == 0 ? "." : $"; {string.Join("; ", held.GroupBy(Why).Select(g => $"{(g.Count() == 1 ? "tier" : "tiers")} {Range([.. g])} {g.Key}"))}.");
        return text.ToString();
    }

    /// <summary>Why calibration holds a tier back, in a few words (the allowed tiers' reason is the verdict's own).</summary>
    public static string Why(TierVerdict t) => t.Rule switch
    {
        GuardRules.TierEce => I($"needs ECE ≤ {t.MaxEce:0.000}, it is {t.EffectiveEce:0.000}"),
        GuardRules.DriftReduceAutonomy => "held back by drift (reduce autonomy)",
        GuardRules.DriftRecalibrationRequired => "held back: recalibration required",
        GuardRules.LearningMode => "held back: learning mode, escalate only",
        GuardRules.Uncalibrated => "held back: the model is not calibrated (VGAC says recalibration is needed, or no ECE is known)",
        _ => t.Reason,
    };

    private static string Range(IReadOnlyList<TierVerdict> tiers) =>
        tiers.Count == 1 ? tiers[0].Tier.ToString(CultureInfo.InvariantCulture)
        : tiers.Zip(tiers.Skip(1)).All(p => p.Second.Tier == p.First.Tier + 1) ? $"{tiers[0].Tier}-{tiers[^1].Tier}"
        : string.Join(", ", tiers.Select(t => t.Tier));

    private static string Slo(Calibration.SloCheck s) =>
        s.Value is { } v ? I($"{s.Name} {v:0.000} > {s.Limit:0.000}") : s.Name;

    private static string Level(DriftLevel level) => level switch
    {
        DriftLevel.Stable => "stable",
        DriftLevel.Monitor => "monitor",
        DriftLevel.ReduceAutonomy => "reduce autonomy",
        _ => "recalibration required",
    };

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
