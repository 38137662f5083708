using System.Globalization;
using Vgac.Copilot.Cli.Composition;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>Durations as people type them: <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>, or plain seconds.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option, double maxDays = 7)
    {
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : t.EndsWith('d') ? (t[..^1], 86400)
            : (t, 1d);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value) && value * unit <= maxDays * 86400
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture,
                $"{option} must be a positive duration such as 30s, 2m, 1h, 1d or 500ms (at most {maxDays} days), got '{text}'."));
    }

    /// <summary><c>--since</c>: a duration back from now (<c>2h</c>, <c>1d</c>) or a timestamp (<c>2026-11-26T08:00Z</c>).</summary>
    public static DateTimeOffset Since(string text, DateTimeOffset now, string option = "--since")
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && text.Contains('-', StringComparison.Ordinal))
        {
            return at;
        }

        try
        {
            return now - Parse(text, option, maxDays: 3650);
        }
        catch (ConfigurationException)
        {
            throw new ConfigurationException($"{option} must be a duration back from now (30m, 2h, 7d) or a timestamp (2026-11-26T08:00Z), got '{text}'.");
        }
    }
}
