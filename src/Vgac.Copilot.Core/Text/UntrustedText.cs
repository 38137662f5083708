using System.Globalization;
using System.Text;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// Text from VGAC, a model, a file or a user, made inert for a terminal: C0 and C1 control characters (ESC, BEL, the
/// CSI and OSC introducers, DEL...) are removed, newline and tab kept, so nothing received can move the cursor, clear
/// the screen, set the title or write the clipboard. Invisible format characters (bidi overrides and isolates such as
/// U+202E and U+2066, zero-width characters, Unicode tag characters) are shown as <c>&lt;U+202E&gt;</c>: removing them
/// silently would hide that the text carried them, printing them raw lets a job id or reason read as something else.
/// The one sanitizer every human-readable writer uses.
/// </summary>
public static class UntrustedText
{
    /// <summary>The text without control characters (newline and tab kept), format characters escaped; unchanged, and not copied, when clean.</summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var i = 0;
        while (i < text.Length && Kind(text, i) == CharKind.Keep)
        {
            i += Width(text, i);
        }

        if (i == text.Length)
        {
            return text;
        }

        var s = new StringBuilder(text.Length + 8).Append(text, 0, i);
        while (i < text.Length)
        {
            switch (Kind(text, i))
            {
                case CharKind.Keep:
                    s.Append(text, i, Width(text, i));
                    i += Width(text, i);
                    break;
                case CharKind.Strip:
                    i++;
                    break;
                case CharKind.Escape:
                    var code = char.ConvertToUtf32(text, i);
                    s.Append("<U+").Append(code.ToString("X4", CultureInfo.InvariantCulture)).Append('>');
                    i += Width(text, i);
                    break;
            }
        }

        return s.ToString();
    }

    /// <summary>
    /// Clean, and at most <paramref name="maxLength"/> characters in all, a cut one ending in "…": for a value a
    /// system outside stores under a hard limit (a Slurm comment, a Kubernetes annotation).
    /// </summary>
    public static string Fit(string? text, int maxLength)
    {
        var clean = Clean(text);
        return clean.Length <= maxLength ? clean : string.Concat(clean.AsSpan(0, maxLength - 1), "…");
    }

    /// <summary>Clean, and cut to <paramref name="maxLength"/> characters with a note of how long it was.</summary>
    public static string Clean(string? text, int maxLength)
    {
        var clean = Clean(text);
        return clean.Length <= maxLength ? clean : string.Concat(clean.AsSpan(0, maxLength), $"... ({clean.Length} characters)");
    }

    private enum CharKind
    {
        Keep,
        Strip,
        Escape,
    }

    /// <summary>How many chars the character at <paramref name="i"/> takes: 2 for a surrogate pair, else 1.</summary>
    private static int Width(string text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    private static CharKind Kind(string text, int i)
    {
        var c = text[i];
        if (c is '\n' or '\t')
        {
            return CharKind.Keep;
        }

        if (c < 0x20 || c is >= '\u007f' and <= '\u009f')
        {
            return CharKind.Strip;
        }

        if (c < 0xAD)
        {
            return CharKind.Keep;
        }

        if (char.IsSurrogate(c))
        {
            // A lone surrogate is not text; a pair is judged as the character it makes (tag characters are format characters).
            return Width(text, i) == 2
                ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1])) == UnicodeCategory.Format ? CharKind.Escape : CharKind.Keep
                : CharKind.Strip;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            ? CharKind.Escape
            : CharKind.Keep;
    }
}
