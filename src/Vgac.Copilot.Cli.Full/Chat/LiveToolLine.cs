using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Agent.Planning;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>
/// While a tool runs, one line at the bottom says which and for how long ("⋯ observer_job_queue 1.2 s"), redrawn
/// in place and erased when it ends; the answer and the trace then take the screen as before.
/// </summary>
internal sealed class LiveToolLine : IDisposable
{
    private readonly TextWriter _terminal;
    private readonly IDisposable _subscription;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _running = new(StringComparer.Ordinal);

    public LiveToolLine(ToolActivity activity, TextWriter terminal)
    {
        _terminal = terminal;
        _timer = new Timer(_ => Draw(), null, Timeout.Infinite, Timeout.Infinite);
        _subscription = activity.Listen(Started, Finished);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _timer.Dispose();
    }

    private void Started(string tool)
    {
        lock (_gate)
        {
            _running[tool] = Stopwatch.GetTimestamp();
        }

        Draw();
        _timer.Change(100, 100);
    }

    private void Finished(string tool)
    {
        bool idle;
        lock (_gate)
        {
            _running.Remove(tool);
            idle = _running.Count == 0;
            if (idle)
            {
                _terminal.Write("\r\u001b[K");
                _terminal.Flush();
            }
        }

        if (idle)
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_running.Count == 0)
            {
                return;
            }

            var (name, started) = _running.MaxBy(r => r.Value);
            var more = _running.Count > 1 ? $" (+{_running.Count - 1} more)" : "";
            _terminal.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[K  \u001b[2m⋯ {name}{more} {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s\u001b[0m"));
            _terminal.Flush();
        }
    }
}

/// <summary>Streamed text wrapped at word boundaries: each piece as it arrives, with line breaks where a word would not fit.</summary>
internal sealed class WordWrap(int width)
{
    private int _column;

    public string Next(string piece)
    {
        if (width == int.MaxValue)
        {
            return piece;
        }

        var s = new System.Text.StringBuilder();
        var i = 0;
        while (i < piece.Length)
        {
            if (piece[i] == '\n')
            {
                s.Append('\n');
                _column = 0;
                i++;
                continue;
            }

            var end = i;
            while (end < piece.Length && !char.IsWhiteSpace(piece[end]))
            {
                end++;
            }

            var word = piece[i..end];
            if (word.Length > 0)
            {
                if (_column > 0 && _column + word.Length > width)
                {
                    s.Append('\n');
                    _column = 0;
                }

                s.Append(word);
                _column += word.Length;
                i = end;
                continue;
            }

            // A space: kept unless it would start a new line.
            if (_column >= width)
            {
                s.Append('\n');
                _column = 0;
            }
            else if (_column > 0)
            {
                s.Append(' ');
                _column++;
            }

            i++;
        }

        return s.ToString();
    }
}
