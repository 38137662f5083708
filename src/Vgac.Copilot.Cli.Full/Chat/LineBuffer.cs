using System.Text;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>The text being edited and the cursor in it: every editing operation of the line editor, with no terminal in sight.</summary>
internal sealed class LineBuffer
{
    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();

    public int Cursor { get; private set; }

    public int Length => _text.Length;

    public void Set(string text)
    {
        _text.Clear().Append(text);
        Cursor = _text.Length;
    }

    public void Insert(string text)
    {
        _text.Insert(Cursor, text);
        Cursor += text.Length;
    }

    public void Backspace()
    {
        if (Cursor > 0)
        {
            _text.Remove(--Cursor, 1);
        }
    }

    public void Delete()
    {
        if (Cursor < _text.Length)
        {
            _text.Remove(Cursor, 1);
        }
    }

    public void Left() => Cursor = Math.Max(0, Cursor - 1);

    public void Right() => Cursor = Math.Min(_text.Length, Cursor + 1);

    public void Home() => Cursor = 0;

    public void End() => Cursor = _text.Length;

    /// <summary>To the start of this word, or of the previous one (Alt+B, Ctrl+Left).</summary>
    public void WordLeft() => Cursor = WordStartBefore(Cursor);

    /// <summary>To the end of this word, or of the next one (Alt+F, Ctrl+Right).</summary>
    public void WordRight()
    {
        var i = Cursor;
        while (i < _text.Length && !char.IsLetterOrDigit(_text[i]))
        {
            i++;
        }

        while (i < _text.Length && char.IsLetterOrDigit(_text[i]))
        {
            i++;
        }

        Cursor = i;
    }

    /// <summary>Deletes from the start of the line to the cursor (Ctrl+U); returns what went.</summary>
    public string KillToStart() => Kill(0, Cursor);

    /// <summary>Deletes from the cursor to the end of the line (Ctrl+K).</summary>
    public string KillToEnd() => Kill(Cursor, _text.Length);

    /// <summary>Deletes the word before the cursor, and the spaces after it (Ctrl+W).</summary>
    public string KillWordBack()
    {
        var start = Cursor;
        while (start > 0 && char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }

        while (start > 0 && !char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }

        return Kill(start, Cursor);
    }

    private string Kill(int from, int to)
    {
        var gone = _text.ToString(from, to - from);
        _text.Remove(from, to - from);
        Cursor = from;
        return gone;
    }

    private int WordStartBefore(int position)
    {
        var i = position;
        while (i > 0 && !char.IsLetterOrDigit(_text[i - 1]))
        {
            i--;
        }

        while (i > 0 && char.IsLetterOrDigit(_text[i - 1]))
        {
            i--;
        }

        return i;
    }
}
