using System.Text.Json.Serialization;

namespace Vgac.Copilot.Actions;

/// <summary>How much the watch loop may do without a person. Whatever the level, the guards decide first.</summary>
[JsonConverter(typeof(Vgac.Copilot.Core.Text.WireNameConverter<Autonomy>))]
public enum Autonomy
{
    /// <summary>Propose only; every action waits for <c>vgac actions approve</c>.</summary>
    Off,

    /// <summary>Tiers 1-2 (annotate, warn) may run by themselves; higher tiers wait for approval.</summary>
    Notify,

    /// <summary>Every tier the guards allow may run by itself.</summary>
    Full,
}

public static class AutonomyPolicy
{
    /// <summary>Highest tier <c>notify</c> runs unattended.</summary>
    public const int NotifyMaxTier = 2;

    /// <summary>
    /// May an allowed proposal run without a person? The guard verdict (gate, tier thresholds, drift) is the first
    /// condition; autonomy can only narrow it, never widen it.
    /// </summary>
    public static bool MayRunUnattended(Autonomy autonomy, int tier, bool allowedByGuards) => allowedByGuards && autonomy switch
    {
        Autonomy.Full => true,
        Autonomy.Notify => tier <= NotifyMaxTier,
        _ => false,
    };
}
