using System.Text;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>
/// A line editor for a person at a terminal, redrawn in place however long the line (it wraps and edits across
/// rows without re-printing the prompt): Home/End and Ctrl+A/E, Alt+B/F and Ctrl+Left/Right by word, Ctrl+U/K/W to
/// delete, up/down through history, Ctrl+R to search it, Tab to complete slash commands, a trailing backslash to
/// continue on the next line, Ctrl+L to clear the screen. Ctrl+C clears the line; Ctrl+D on an empty line ends.
/// </summary>
/// <remarks>
/// Written here rather than taken from RadLine 0.6.0 (a preview): that version does not put the terminal in raw
/// mode, has no history search, and its README lists lines not updating past the screen buffer's edge.
/// </remarks>
internal sealed class LineEditor(TextWriter output, Func<ConsoleKeyInfo> readKey, Func<int> width, InputHistory history, IReadOnlyList<string> completions)
{
    private const string ContinuationPrompt = "...> ";
    private readonly LineBuffer _buffer = new();
    private int _cursorRow;

    public InputHistory History => history;

    /// <summary>The line typed; "" after Ctrl+C; null after Ctrl+D on an empty line.</summary>
    public string? ReadLine(string prompt)
    {
        var parts = new List<string>();
        var current = prompt;
        while (true)
        {
            var line = ReadOne(current);
            if (line is null)
            {
                return parts.Count == 0 ? null : "";
            }

            if (line.EndsWith('\\') && line != "\\")
            {
                parts.Add(line[..^1]);
                current = ContinuationPrompt;
                continue;
            }

            parts.Add(line);
            var text = string.Join('\n', parts);
            // Every question and command is remembered, except the words that end the session.
            if (text.Trim().Length > 0 && !(parts.Count == 1 && line == "") && text.Trim().ToLowerInvariant() is not ("exit" or "quit"))
            {
                history.Add(text);
            }

            return text;
        }
    }

    private string? ReadOne(string prompt)
    {
        _buffer.Set("");
        _cursorRow = 0;
        output.Write(prompt);
        output.Flush();
        var index = history.Entries.Count;
        string? draft = null;
        while (true)
        {
            var key = readKey();
            var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
            var alt = key.Modifiers.HasFlag(ConsoleModifiers.Alt);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    MoveToEnd(prompt);
                    output.Write("\r\n");
                    output.Flush();
                    return _buffer.Text;
                case ConsoleKey.C when control:
                    MoveToEnd(prompt);
                    output.Write("^C\r\n");
                    output.Flush();
                    return "";
                case ConsoleKey.D when control && _buffer.Length == 0:
                    output.Write("\r\n");
                    output.Flush();
                    return null;
                case ConsoleKey.L when control:
                    output.Write("\u001b[2J\u001b[H");
                    _cursorRow = 0;
                    break;
                case ConsoleKey.UpArrow when index > 0:
                case ConsoleKey.P when control && index > 0:
                    draft ??= _buffer.Text;
                    _buffer.Set(history.Entries[--index]);
                    break;
                case ConsoleKey.DownArrow when index < history.Entries.Count:
                case ConsoleKey.N when control && index < history.Entries.Count:
                    index++;
                    _buffer.Set(index < history.Entries.Count ? history.Entries[index] : draft ?? "");
                    break;
                case ConsoleKey.R when control:
                    if (Search(prompt) is { } found)
                    {
                        _buffer.Set(found);
                    }

                    break;
                case ConsoleKey.Tab:
                    Complete(prompt);
                    break;
                default:
                    Edit(key, control, alt);
                    break;
            }

            Render(prompt, _buffer.Text, _buffer.Cursor);
        }
    }

    /// <summary>The keys that edit the line itself: delete, move by character or word, kill, or type.</summary>
    private void Edit(ConsoleKeyInfo key, bool control, bool alt)
    {
        switch (key.Key)
        {
            case ConsoleKey.D when control:
            case ConsoleKey.Delete:
                _buffer.Delete();
                break;
            case ConsoleKey.Backspace:
            case ConsoleKey.H when control:
                _buffer.Backspace();
                break;
            case ConsoleKey.LeftArrow when control:
            case ConsoleKey.B when alt:
                _buffer.WordLeft();
                break;
            case ConsoleKey.RightArrow when control:
            case ConsoleKey.F when alt:
                _buffer.WordRight();
                break;
            case ConsoleKey.LeftArrow:
            case ConsoleKey.B when control:
                _buffer.Left();
                break;
            case ConsoleKey.RightArrow:
            case ConsoleKey.F when control:
                _buffer.Right();
                break;
            case ConsoleKey.Home:
            case ConsoleKey.A when control:
                _buffer.Home();
                break;
            case ConsoleKey.End:
            case ConsoleKey.E when control:
                _buffer.End();
                break;
            case ConsoleKey.U when control:
                _buffer.KillToStart();
                break;
            case ConsoleKey.K when control:
                _buffer.KillToEnd();
                break;
            case ConsoleKey.W when control:
                _buffer.KillWordBack();
                break;
            default:
                if (!char.IsControl(key.KeyChar) && !control && !alt)
                {
                    _buffer.Insert(key.KeyChar.ToString());
                }

                break;
        }
    }

    /// <summary>Ctrl+R: the newest earlier entry containing what is typed; Ctrl+R again looks further back. Enter or an arrow takes it, Esc or Ctrl+G leaves it.</summary>
    private string? Search(string prompt)
    {
        var query = new StringBuilder();
        var before = history.Entries.Count;
        (int Index, string Entry)? match = null;
        while (true)
        {
            var shown = $"(reverse-i-search)'{query}': ";
            Render(shown, match?.Entry ?? "", match?.Entry.Length ?? 0);
            var key = readKey();
            var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
            switch (key.Key)
            {
                case ConsoleKey.R when control:
                    match = history.Search(query.ToString(), match?.Index ?? before) ?? match;
                    break;
                case ConsoleKey.Escape:
                case ConsoleKey.G when control:
                case ConsoleKey.C when control:
                    Render(prompt, _buffer.Text, _buffer.Cursor);
                    return null;
                case ConsoleKey.Backspace when query.Length > 0:
                    query.Length--;
                    match = query.Length == 0 ? null : history.Search(query.ToString(), before);
                    break;
                case ConsoleKey.Enter:
                case ConsoleKey.LeftArrow:
                case ConsoleKey.RightArrow:
                case ConsoleKey.Home:
                case ConsoleKey.End:
                    return match?.Entry ?? _buffer.Text;
                default:
                    if (!char.IsControl(key.KeyChar) && !control)
                    {
                        query.Append(key.KeyChar);
                        match = history.Search(query.ToString(), before);
                    }

                    break;
            }
        }
    }

    /// <summary>Tab: completes a slash command; with several candidates, their common part, and the list below.</summary>
    private void Complete(string prompt)
    {
        var text = _buffer.Text;
        if (!text.StartsWith('/') || text.Contains(' ', StringComparison.Ordinal))
        {
            return;
        }

        var candidates = completions.Where(c => c.StartsWith(text, StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var common = candidates.Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray()));
        if (candidates.Count == 1)
        {
            _buffer.Set(candidates[0] + " ");
            return;
        }

        if (common.Length > text.Length)
        {
            _buffer.Set(common);
            return;
        }

        MoveToEnd(prompt);
        output.Write("\r\n" + string.Join("  ", candidates) + "\r\n");
        _cursorRow = 0;
        output.Write(prompt);
    }

    private void MoveToEnd(string prompt)
    {
        Render(prompt, _buffer.Text, _buffer.Length);
    }

    /// <summary>
    /// Redraws the prompt and text from the prompt's first row: up to it, clear to the end of the screen, write,
    /// then put the cursor where it belongs, counting rows at the terminal's width.
    /// </summary>
    private void Render(string prompt, string text, int cursor)
    {
        var columns = Math.Max(10, width());
        var shownText = text.Replace("\n", " ", StringComparison.Ordinal);
        var total = prompt.Length + shownText.Length;
        var s = new StringBuilder();
        if (_cursorRow > 0)
        {
            s.Append("\u001b[").Append(_cursorRow).Append('A');
        }

        s.Append('\r').Append("\u001b[J").Append(prompt).Append(shownText);
        var endRow = total / columns;
        if (total > 0 && total % columns == 0)
        {
            // At an exact multiple the terminal waits at the last column; move to the next row explicitly.
            s.Append("\r\n");
        }

        var position = prompt.Length + cursor;
        var targetRow = position / columns;
        var targetColumn = position % columns;
        if (endRow > targetRow)
        {
            s.Append("\u001b[").Append(endRow - targetRow).Append('A');
        }

        s.Append('\r');
        if (targetColumn > 0)
        {
            s.Append("\u001b[").Append(targetColumn).Append('C');
        }

        output.Write(s.ToString());
        output.Flush();
        _cursorRow = targetRow;
    }
}
