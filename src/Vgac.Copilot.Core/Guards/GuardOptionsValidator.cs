using System.Globalization;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Core.Guards;

/// <summary>Refuses an incoherent guard table at start, naming the value that breaks it.</summary>
internal sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        var failures = new List<string>();
        Ranges(options, failures);
        FixedActions(options, failures);
        WeakerThanBuiltIn(options, failures);
        TierTable(options, failures);
        Slo(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Each scalar setting within its range, and the drift ratios in order.</summary>
    private static void Ranges(GuardOptions options, List<string> failures)
    {
        if (!(options.ConfidenceGate is >= 0.5 and <= 1))
        {
            failures.Add($"Guards:ConfidenceGate must be in [0.5, 1], got {F(options.ConfidenceGate)}.");
        }

        if (!(options.OperatingThreshold is > 0 and < 1))
        {
            failures.Add($"Guards:OperatingThreshold must be in (0, 1), got {F(options.OperatingThreshold)}.");
        }

        if (!(options.BaselineEce is > 0 and < 1))
        {
            failures.Add($"Guards:BaselineEce must be in (0, 1), got {F(options.BaselineEce)}.");
        }

        if (!(options.StableRatio >= 1 && options.StableRatio < options.MonitorRatio && options.MonitorRatio < options.ReduceAutonomyRatio))
        {
            failures.Add($"Guards drift ratios must satisfy 1 <= StableRatio < MonitorRatio < ReduceAutonomyRatio, got {F(options.StableRatio)}, {F(options.MonitorRatio)}, {F(options.ReduceAutonomyRatio)}.");
        }

        if (options.LearningModeMinSamples < 1)
        {
            failures.Add($"Guards:LearningModeMinSamples must be at least 1, got {options.LearningModeMinSamples}.");
        }

        if (options.WaitIntervalLevel is not (0.8 or 0.9 or 0.95))
        {
            failures.Add($"Guards:WaitIntervalLevel must be 0.8, 0.9 or 0.95 (the levels whose coverage is measured), got {F(options.WaitIntervalLevel)}.");
        }

        if (!(options.InventoryMaxAgeSeconds is >= 0 and <= 86400))
        {
            failures.Add($"Guards:InventoryMaxAgeSeconds must be in [0, 86400], got {F(options.InventoryMaxAgeSeconds)}.");
        }

        if (!(options.CalibrationCacheSeconds is >= 0 and <= 3600))
        {
            failures.Add($"Guards:CalibrationCacheSeconds must be in [0, 3600], got {F(options.CalibrationCacheSeconds)}.");
        }

        if (!(options.AuditMaxAgeMinutes is > 0 and <= 7 * 24 * 60))
        {
            failures.Add($"Guards:AuditMaxAgeMinutes must be in (0, 10080] (a week), got {F(options.AuditMaxAgeMinutes)}.");
        }
    }

    /// <summary>What a tier does is fixed in code: at most four tiers, and no configured action other than its own.</summary>
    private static void FixedActions(GuardOptions options, List<string> failures)
    {
        if (options.Tiers.Count > GuardOptions.DefaultTiers.Count)
        {
            failures.Add($"Guards:Tiers lists {options.Tiers.Count} tiers; there are {GuardOptions.DefaultTiers.Count} (1 annotate, 2 warn, 3 suggest, 4 gate).");
        }

        for (var i = 0; i < options.Tiers.Count && i < GuardOptions.DefaultTiers.Count; i++)
        {
            var fixedAction = GuardOptions.DefaultTiers[i].Action;
            if (options.Tiers[i].Action is { Length: > 0 } configured && !string.Equals(configured, fixedAction, StringComparison.Ordinal))
            {
                failures.Add($"Guards:Tiers:{i}:Action: what a tier does is fixed (tier {i + 1} is {fixedAction}); got '{Text.UntrustedText.Clean(configured, 40)}'. Remove the setting.");
            }
        }
    }

    /// <summary>A setting weaker than its built-in default, refused unless the scope allows it (and then shown wherever the guards are).</summary>
    private static void WeakerThanBuiltIn(GuardOptions options, List<string> failures)
    {
        if (!options.AllowWeakerThanDefault)
        {
            // A value refused already (out of range, say) is not reported twice.
            foreach (var weaker in options.WeakerThanDefault().Where(w => !failures.Any(f => f.StartsWith(w[..w.IndexOf(' ', StringComparison.Ordinal)], StringComparison.Ordinal))))
            {
                failures.Add($"{weaker} is weaker than the built-in guard; set Guards:AllowWeakerThanDefault to true for this scope to run with it (it is then shown wherever the guards are).");
            }
        }
    }

    /// <summary>The tiers in order: each epsilon in (0, 1] and rising, each ECE prerequisite in (0, 1) and tightening.</summary>
    private static void TierTable(GuardOptions options, List<string> failures)
    {
        var tiers = options.EffectiveTiers;
        for (var i = 0; i < tiers.Count; i++)
        {
            var t = tiers[i];
            var key = $"Guards:Tiers:{i}";
            if (t.Tier != i + 1)
            {
                failures.Add($"{key}:Tier must be {i + 1} (tiers are listed in order 1..n), got {t.Tier}.");
            }

            if (!(t.Epsilon is > 0 and <= 1))
            {
                failures.Add($"{key}:Epsilon must be in (0, 1], got {F(t.Epsilon)}.");
            }

            if (!(t.MaxEce is > 0 and < 1))
            {
                failures.Add($"{key}:MaxEce must be in (0, 1), got {F(t.MaxEce)}.");
            }

            if (i > 0 && t.Epsilon <= tiers[i - 1].Epsilon)
            {
                failures.Add($"{key}:Epsilon ({F(t.Epsilon)}) must be greater than tier {i}'s ({F(tiers[i - 1].Epsilon)}): epsilon increases with the tier.");
            }

            if (i > 0 && t.MaxEce >= tiers[i - 1].MaxEce)
            {
                failures.Add($"{key}:MaxEce ({F(t.MaxEce)}) must be less than tier {i}'s ({F(tiers[i - 1].MaxEce)}): the ECE prerequisite tightens with the tier.");
            }
        }
    }

    /// <summary>The calibration SLO's limits, all positive.</summary>
    private static void Slo(GuardOptions options, List<string> failures)
    {
        var slo = options.Slo;
        if (!(slo.MaxEce > 0 && slo.MaxMce > 0 && slo.MaxTailGap > 0 && slo.MaxPsi > 0))
        {
            failures.Add("Guards:Slo values must all be positive.");
        }
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
