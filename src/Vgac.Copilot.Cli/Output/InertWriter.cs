using System.Text;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// Every human-readable stream of <c>vgac</c> goes through this writer: control characters (ESC, BEL, CSI, OSC, the
/// C1 range...) in anything written are dropped, newline and tab kept (<see cref="UntrustedText"/>), so a job reason,
/// a model's answer or a CSV header cannot clear the screen, retitle the terminal or write the clipboard. JSON output
/// passes unchanged: the serializer already escapes every control character.
/// </summary>
internal sealed class InertWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    /// <summary>The writer, made inert (once: wrapping twice is a no-op).</summary>
    public static TextWriter Wrap(TextWriter writer) => writer is InertWriter ? writer : new InertWriter(writer);

    public override void Write(char value)
    {
        if (!Strip(value))
        {
            inner.Write(value);
        }
    }

    public override void Write(string? value) => inner.Write(UntrustedText.Clean(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(UntrustedText.Clean(value));

    public override Task WriteAsync(string? value) => inner.WriteAsync(UntrustedText.Clean(value));

    public override Task WriteAsync(char value) => Strip(value) ? Task.CompletedTask : inner.WriteAsync(value);

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(UntrustedText.Clean(value));

    public override Task WriteLineAsync() => inner.WriteLineAsync();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    private static bool Strip(char c) => UntrustedText.Clean(c.ToString()).Length == 0;
}
