using System.Globalization;

namespace Vgac.Copilot.Core.Text;

/// <summary>Counts and durations in words: "1 finding", "2 findings", "1 GPU is free", "2 h 40 min".</summary>
public static class Words
{
    /// <summary>The count and the noun, plural unless the count is one (nouns ending in s, x, sh or ch take "es").</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? singular : plural ?? Plural(singular))}");

    /// <summary>"is" or "are" for the count.</summary>
    public static string Is(long n) => n == 1 ? "is" : "are";

    /// <summary>A present-tense verb agreeing with the count: "waits" for one, "wait" for more.</summary>
    public static string Verb(long n, string plural) => n == 1 ? plural + "s" : plural;

    /// <summary>
    /// A duration in the one human form every answer uses: "45 s" under a minute and a half, "38 min" under an hour
    /// and a half, then "2 h 40 min" (minutes rounded; "3 h" on the hour).
    /// </summary>
    public static string Duration(double seconds)
    {
        if (seconds < 90)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds, MidpointRounding.AwayFromZero):0} s");
        }

        var minutes = (long)Math.Round(seconds / 60, MidpointRounding.AwayFromZero);
        return minutes < 90 ? string.Create(CultureInfo.InvariantCulture, $"{minutes} min")
            : minutes % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes / 60} h")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes / 60} h {minutes % 60} min");
    }

    private static string Plural(string singular) =>
        singular.EndsWith('s') || singular.EndsWith('x') || singular.EndsWith("sh", StringComparison.Ordinal) || singular.EndsWith("ch", StringComparison.Ordinal)
            ? singular + "es"
            : singular + "s";
}
