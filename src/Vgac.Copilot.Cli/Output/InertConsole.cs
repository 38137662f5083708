using Spectre.Console;
using Spectre.Console.Rendering;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// A Spectre console whose text is made inert before it is rendered: every text segment of everything written (markup,
/// tables, live views) loses its control characters, while the console's own styling and cursor control (control
/// segments it makes itself) pass. The REPL and the watch view write through this, so untrusted strings inside a
/// table cell or a streamed answer cannot reach the terminal raw.
/// </summary>
internal sealed class InertConsole(IAnsiConsole inner, SecretRedactor secrets) : IAnsiConsole
{
    public Profile Profile => inner.Profile;

    public IAnsiConsoleCursor Cursor => inner.Cursor;

    public IAnsiConsoleInput Input => inner.Input;

    public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

    public RenderPipeline Pipeline => inner.Pipeline;

    public void Clear(bool home) => inner.Clear(home);

    public void Write(IRenderable renderable) => inner.Write(new InertRenderable(renderable, secrets));

    /// <summary>The console's own escape sequences (cursor, live redraws): made by Spectre, not from any input.</summary>
    public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);

    private sealed class InertRenderable(IRenderable inner, SecretRedactor secrets) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            foreach (var segment in inner.Render(options, maxWidth))
            {
                yield return segment.IsControlCode || segment.IsLineBreak ? segment : new Segment(UntrustedText.Clean(secrets.Redact(segment.Text)), segment.Style);
            }
        }
    }
}
