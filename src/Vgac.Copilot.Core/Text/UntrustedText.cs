using System.Text;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// Text from VGAC, a model, a file or a user, made inert for a terminal: C0 and C1 control characters (ESC, BEL, the
/// CSI and OSC introducers, DEL...) are removed, newline and tab kept, so nothing received can move the cursor, clear
/// the screen, set the title or write the clipboard. The one sanitizer every human-readable writer uses.
/// </summary>
public static class UntrustedText
{
    /// <summary>The text without control characters (newline and tab kept); unchanged, and not copied, when clean.</summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var i = 0;
        while (i < text.Length && !Strip(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var s = new StringBuilder(text.Length).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            if (!Strip(text[i]))
            {
                s.Append(text[i]);
            }
        }

        return s.ToString();
    }

    /// <summary>Clean, and cut to <paramref name="maxLength"/> characters with a note of how long it was.</summary>
    public static string Clean(string? text, int maxLength)
    {
        var clean = Clean(text);
        return clean.Length <= maxLength ? clean : string.Concat(clean.AsSpan(0, maxLength), $"... ({clean.Length} characters)");
    }

    private static bool Strip(char c) => c is not ('\n' or '\t') && (c < 0x20 || c is >= '\u007f' and <= '\u009f');
}
