namespace Vgac.Copilot.Cli.Chat;

/// <summary>
/// The questions asked, newest last: kept in memory and, when a file is given, in the data folder across sessions
/// (at most <see cref="Limit"/> entries; the file is readable by its owner only; secrets are masked before writing).
/// </summary>
internal sealed class InputHistory
{
    public const int Limit = 1000;

    private readonly List<string> _entries = [];
    private readonly string? _path;
    private readonly Core.Text.SecretRedactor? _secrets;

    public InputHistory(string? path = null, Core.Text.SecretRedactor? secrets = null)
    {
        _path = path;
        _secrets = secrets;
        if (path is not null && File.Exists(path))
        {
            // One entry per line; a line break inside a question is stored as \n.
            _entries.AddRange(File.ReadLines(path).Where(l => l.Length > 0).Select(l => l.Replace("\\n", "\n", StringComparison.Ordinal)).TakeLast(Limit));
        }
    }

    public IReadOnlyList<string> Entries => _entries;

    public void Add(string entry)
    {
        if (entry.Trim().Length == 0 || (_entries.Count > 0 && _entries[^1] == entry))
        {
            return;
        }

        _entries.Add(entry);
        if (_entries.Count > Limit)
        {
            _entries.RemoveRange(0, _entries.Count - Limit);
        }

        if (_path is null)
        {
            return;
        }

        try
        {
            Core.IO.PrivatePaths.EnsureFile(_path);
            var lines = _entries.Select(e => (_secrets?.Redact(e) ?? e).Replace("\n", "\\n", StringComparison.Ordinal));
            File.WriteAllLines(_path, lines);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // History is a convenience: a read-only data folder must not end the session.
        }
    }

    /// <summary>The newest entry before <paramref name="before"/> that contains <paramref name="query"/> (Ctrl+R).</summary>
    public (int Index, string Entry)? Search(string query, int before)
    {
        for (var i = Math.Min(before, _entries.Count) - 1; i >= 0; i--)
        {
            if (_entries[i].Contains(query, StringComparison.OrdinalIgnoreCase))
            {
                return (i, _entries[i]);
            }
        }

        return null;
    }
}
