using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>One exchange of a chat: the question, the answer, and the tool calls behind it.</summary>
internal sealed record ChatTurn(string Question, string Answer, IReadOnlyList<SavedCall> Calls, DateTimeOffset At);

/// <summary>A tool call as saved with its turn (the result capped).</summary>
internal sealed record SavedCall(string Name, bool Ok, string? Verdict, double DurationMs, string Result);

/// <summary>A saved session as listed: its name, how many questions, when it was saved.</summary>
internal sealed record SessionInfo(string Name, int Turns, DateTimeOffset SavedAt);

internal sealed record SavedSession(string Name, DateTimeOffset SavedAt, IReadOnlyList<ChatTurn> Turns);

/// <summary>
/// Chat sessions saved in the data folder (<c>/save NAME</c>, <c>vgac chat --resume NAME</c>), one JSON file each,
/// readable by their owner only, secrets masked, sizes capped; a file that is not a session is reported, not trusted.
/// </summary>
internal sealed partial class SavedSessions(string folder, Core.Text.SecretRedactor secrets)
{
    /// <summary>The session every chat saves itself as when it ends, and <c>--resume</c> with no name opens.</summary>
    public const string Last = "last";

    public const int MaxTurns = 500;
    public const int MaxTextChars = 20_000;
    private const long MaxFileBytes = 8 * 1024 * 1024;

    public string Folder => folder;

    /// <summary>A usable session name, or an error saying what one looks like.</summary>
    public static string CheckName(string name) => Name().IsMatch(name)
        ? name
        : throw new Composition.ConfigurationException($"a session name is 1-64 letters, digits, '.', '_' or '-', got {Core.Guards.Identifiers.Echo(name)}.");

    public string Save(string name, IReadOnlyList<ChatTurn> turns)
    {
        CheckName(name);
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var kept = turns.TakeLast(MaxTurns).Select(t => t with
        {
            Question = Clean(t.Question),
            Answer = Clean(t.Answer),
            Calls = [.. t.Calls.Select(c => c with { Result = Clean(c.Result) })],
        }).ToList();
        var path = PathOf(name);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new SavedSession(name, DateTimeOffset.UtcNow, kept), SessionJson.Default.SavedSession));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public SavedSession Load(string name)
    {
        var path = PathOf(CheckName(name));
        if (!File.Exists(path))
        {
            var known = List().Select(s => s.Name).ToList();
            throw new Composition.ConfigurationException($"no saved session '{name}'{(known.Count == 0 ? " yet: a chat saves itself as 'last' when it ends, and /save NAME saves it by name" : $"; saved: {string.Join(", ", known)}")}.");
        }

        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new InvalidDataException($"session file '{path}' is larger than {MaxFileBytes / (1024 * 1024)} MB; not loaded.");
        }

        try
        {
            var session = JsonSerializer.Deserialize(File.ReadAllText(path), SessionJson.Default.SavedSession);
            return session is { Turns: not null } ? session : throw new InvalidDataException($"session file '{path}' holds no session.");
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"session file '{path}' is not a saved session (not the JSON vgac writes).");
        }
    }

    public IReadOnlyList<SessionInfo> List()
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var found = new List<SessionInfo>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Where(f => new FileInfo(f).Length <= MaxFileBytes))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllText(file), SessionJson.Default.SavedSession) is { Turns: not null } s && Name().IsMatch(s.Name))
                {
                    found.Add(new SessionInfo(s.Name, s.Turns.Count, s.SavedAt));
                }
            }
            catch (JsonException)
            {
                // Not a session: not listed.
            }
        }

        return [.. found.OrderByDescending(s => s.SavedAt)];
    }

    private string PathOf(string name) => Path.Combine(folder, name + ".json");

    private string Clean(string text)
    {
        var masked = secrets.Redact(text);
        return masked.Length <= MaxTextChars ? masked : masked[..MaxTextChars] + " …[cut]";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Name();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SavedSession))]
internal sealed partial class SessionJson : JsonSerializerContext;
