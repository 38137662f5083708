using System.Globalization;

namespace Vgac.Copilot.Core.Text;

/// <summary>Counts in words: "1 finding", "2 findings", "1 GPU is free", "2 GPUs are free".</summary>
public static class Words
{
    /// <summary>The count and the noun, plural unless the count is one (nouns ending in s, x, sh or ch take "es").</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? singular : plural ?? Plural(singular))}");

    /// <summary>"is" or "are" for the count.</summary>
    public static string Is(long n) => n == 1 ? "is" : "are";

    /// <summary>A present-tense verb agreeing with the count: "waits" for one, "wait" for more.</summary>
    public static string Verb(long n, string plural) => n == 1 ? plural + "s" : plural;

    private static string Plural(string singular) =>
        singular.EndsWith('s') || singular.EndsWith('x') || singular.EndsWith("sh", StringComparison.Ordinal) || singular.EndsWith("ch", StringComparison.Ordinal)
            ? singular + "es"
            : singular + "s";
}
