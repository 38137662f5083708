using System.Globalization;
using Vgac.Copilot.Cli.Composition;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>Durations as people type them: <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>, or plain seconds.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : (t, 1d);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value) && value * unit <= 7 * 24 * 3600
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ConfigurationException($"{option} must be a positive duration such as 30s, 2m, 1h or 500ms (at most 7 days), got '{text}'.");
    }
}
