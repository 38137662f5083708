namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// The one sentence every face of the guards shows when a scope runs weaker than the built-in defaults
/// (<see cref="GuardOptions.AllowWeakerThanDefault"/>): config, doctor, the watch banner, the MCP server's start and
/// each record the trail keeps for that cluster.
/// </summary>
public static class GuardNotice
{
    /// <summary>The notice, or null when nothing is weaker than built-in.</summary>
    public static string? Of(GuardOptions options) =>
        options.WeakerThanDefault() is { Count: > 0 } weaker
            ? $"guards weaker than built-in (Guards:AllowWeakerThanDefault): {string.Join(", ", weaker)}"
            : null;
}
