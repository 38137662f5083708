namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// The guard thresholds (<c>DESIGN.md</c>, "Domain rules"). Bound from the <c>Guards</c> section and validated at
/// start: ε increases with the tier, the ECE prerequisite decreases, the gate lies in [0.5, 1].
/// </summary>
public sealed class GuardOptions
{
    public const string SectionName = "Guards";

    /// <summary>Below this confidence a prediction is shown only as low-confidence: no recommendation, no action.</summary>
    public double ConfidenceGate { get; set; } = 0.6;

    /// <summary>P(long wait) at or above which a wait is called long.</summary>
    public double OperatingThreshold { get; set; } = 0.5;

    /// <summary>last_known_good_ece; overridden by <c>models/production/safeguard_state.json</c> when the platform path is set.</summary>
    public double BaselineEce { get; set; } = 0.018;

    /// <summary>Drift ratio (ECE / baseline) up to which calibration is stable.</summary>
    public double StableRatio { get; set; } = 1.5;

    /// <summary>Up to this ratio: monitor.</summary>
    public double MonitorRatio { get; set; } = 2;

    /// <summary>Up to this ratio: reduce autonomy (tier 1 only); above it recalibration is required (nothing acts).</summary>
    public double ReduceAutonomyRatio { get; set; } = 5;

    /// <summary>Below this many outcome samples the model is in learning mode: escalate only.</summary>
    public int LearningModeMinSamples { get; set; } = 50;

    /// <summary>How long a fetched calibration status is reused before it is asked for again.</summary>
    public double CalibrationCacheSeconds { get; set; } = 30;

    /// <summary>
    /// How long the cluster's inventory (its nodes, GPUs and partitions: the feasibility guard's evidence) is reused
    /// before it is read again; never trusted past this age.
    /// </summary>
    public double InventoryMaxAgeSeconds { get; set; } = 300;

    /// <summary>
    /// The copilot's own persisted calibration audit counts in every verdict (the worse of it and VGAC's reported ECE)
    /// until it is this old; an older one is ignored.
    /// </summary>
    public double AuditMaxAgeMinutes { get; set; } = 120;

    /// <summary>Level of the conformal wait intervals shown beside a confident prediction (0.8, 0.9 or 0.95).</summary>
    public double WaitIntervalLevel { get; set; } = 0.9;

    public List<TierOptions> Tiers { get; set; } = [];

    /// <summary>
    /// Lets this scope (the <c>Guards</c> section, or one cluster's) run with a setting weaker than its built-in
    /// default (<see cref="WeakerThanDefault"/>); without it such a setting is refused at start. When it is used, every
    /// face that shows the guards says so (config, doctor, the watch banner, the MCP server's start, the trail).
    /// </summary>
    public bool AllowWeakerThanDefault { get; set; }

    /// <summary>The platform's own baseline, when it replaced the configured one (<c>VGAC_PLATFORM_PATH</c>): evidence, not a setting.</summary>
    public double? PlatformBaselineEce { get; set; }

    /// <summary>
    /// Every setting of this scope that loosens a guard against its built-in default: a lower confidence gate or
    /// tier epsilon, a higher tier MaxEce, baseline or drift ratio, a smaller learning minimum, a shorter audit age.
    /// Each as <c>Guards:ConfidenceGate 0.5 (built-in 0.6)</c>.
    /// </summary>
    public IReadOnlyList<string> WeakerThanDefault()
    {
        var d = new GuardOptions();
        var weaker = new List<string>();
        void Check(string key, double value, double builtIn, bool lowerIsWeaker)
        {
            if (lowerIsWeaker ? value < builtIn : value > builtIn)
            {
                weaker.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Guards:{key} {value} (built-in {builtIn})"));
            }
        }

        Check(nameof(ConfidenceGate), ConfidenceGate, d.ConfidenceGate, lowerIsWeaker: true);
        if (PlatformBaselineEce is null)
        {
            Check(nameof(BaselineEce), BaselineEce, d.BaselineEce, lowerIsWeaker: false);
        }

        Check(nameof(StableRatio), StableRatio, d.StableRatio, lowerIsWeaker: false);
        Check(nameof(MonitorRatio), MonitorRatio, d.MonitorRatio, lowerIsWeaker: false);
        Check(nameof(ReduceAutonomyRatio), ReduceAutonomyRatio, d.ReduceAutonomyRatio, lowerIsWeaker: false);
        Check(nameof(LearningModeMinSamples), LearningModeMinSamples, d.LearningModeMinSamples, lowerIsWeaker: true);
        Check(nameof(AuditMaxAgeMinutes), AuditMaxAgeMinutes, d.AuditMaxAgeMinutes, lowerIsWeaker: true);
        for (var i = 0; i < Tiers.Count && i < DefaultTiers.Count; i++)
        {
            Check($"Tiers:{i}:Epsilon", Tiers[i].Epsilon, DefaultTiers[i].Epsilon, lowerIsWeaker: true);
            Check($"Tiers:{i}:MaxEce", Tiers[i].MaxEce, DefaultTiers[i].MaxEce, lowerIsWeaker: false);
        }

        return weaker;
    }

    public SloOptions Slo { get; set; } = new();

    /// <summary>The four tiers of the design, used when the section lists none.</summary>
    public static IReadOnlyList<TierOptions> DefaultTiers { get; } =
    [
        new() { Tier = 1, Action = "annotate", Epsilon = 0.30, MaxEce = 0.10, Description = "label the job" },
        new() { Tier = 2, Action = "warn", Epsilon = 0.50, MaxEce = 0.07, Description = "notify the user" },
        new() { Tier = 3, Action = "suggest", Epsilon = 0.70, MaxEce = 0.05, Description = "recommend a reschedule" },
        new() { Tier = 4, Action = "gate", Epsilon = 0.90, MaxEce = 0.03, Description = "require confirmation before submit" },
    ];

    /// <summary>
    /// The tiers in force: the configured thresholds (or the defaults), each with the action fixed in code for its
    /// position (1 annotate, 2 warn, 3 suggest, 4 gate): configuration sets when a tier may act, never what it does.
    /// </summary>
    public IReadOnlyList<TierOptions> EffectiveTiers => _effective ??= Tiers.Count == 0 ? DefaultTiers
        : [.. Tiers.Take(DefaultTiers.Count).Select((t, i) => new TierOptions
        {
            Tier = t.Tier,
            Action = DefaultTiers[i].Action,
            Epsilon = t.Epsilon,
            MaxEce = t.MaxEce,
            Description = DefaultTiers[i].Description,
        })];

    private IReadOnlyList<TierOptions>? _effective;

    /// <summary>The action of tier <paramref name="tier"/> (1-4), fixed in code; null for no such tier.</summary>
    public static string? ActionOf(int tier) => tier is >= 1 and <= 4 ? DefaultTiers[tier - 1].Action : null;
}

/// <summary>One intervention tier: action a is allowed only if p ≥ ε and ECE ≤ R (and the gate passes).</summary>
public sealed class TierOptions
{
    public int Tier { get; set; }

    public string Action { get; set; } = "";

    public double Epsilon { get; set; }

    public double MaxEce { get; set; }

    public string Description { get; set; } = "";
}

/// <summary>Calibration service-level objectives.</summary>
public sealed class SloOptions
{
    public double MaxEce { get; set; } = 0.05;

    public double MaxMce { get; set; } = 0.10;

    public double MaxTailGap { get; set; } = 0.035;

    /// <summary>PSI must stay strictly below this.</summary>
    public double MaxPsi { get; set; } = 0.10;
}
