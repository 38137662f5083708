using System.Text;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// Every human-readable stream of <c>vgac</c> goes through this writer: control characters (ESC, BEL, CSI, OSC, the
/// C1 range...) in anything written are dropped, newline and tab kept (<see cref="UntrustedText"/>), so a job reason,
/// a model's answer or a CSV header cannot clear the screen, retitle the terminal or write the clipboard. JSON output
/// passes unchanged: the serializer already escapes every control character. Every secret the run knows is masked
/// (<see cref="SecretRedactor"/>), in text and JSON alike.
/// </summary>
internal sealed class InertWriter(TextWriter inner, SecretRedactor secrets) : TextWriter
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
    public static TextWriter Wrap(TextWriter writer, SecretRedactor secrets) => writer is InertWriter ? writer : new InertWriter(writer, secrets);

    /// <summary>A high surrogate written alone, held until its pair arrives (the pair is judged as one character).</summary>
    private char? _high;

    public override void Write(char value)
    {
        if (char.IsHighSurrogate(value))
        {
            _high = value;
            return;
        }

        var text = _high is { } high ? string.Concat(high.ToString(), value.ToString()) : value.ToString();
        _high = null;
        inner.Write(UntrustedText.Clean(text));
    }

    public override void Write(string? value) => inner.Write(Safe(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(Safe(value));

    public override Task WriteAsync(string? value) => inner.WriteAsync(Safe(value));

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(Safe(value));

    public override Task WriteLineAsync() => inner.WriteLineAsync();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    private string Safe(string? value) => UntrustedText.Clean(secrets.Redact(value));
}
