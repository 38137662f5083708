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
/// Saved chat sessions (<c>/save NAME</c>, <c>vgac chat --resume NAME</c>), kept in the store beside the audit trail
/// (the SQLite file, or the team's PostgreSQL database, where a session resumes on any machine), one per owner and
/// name; secrets masked, sizes capped, and a document that is not a session reported, not trusted. Sessions saved as
/// files in the data folder by earlier versions are still read (the store's copy wins a name).
/// </summary>
internal sealed partial class SavedSessions(Audit.Storage.ISessionStore store, string? owner, string legacyFolder, Core.Text.SecretRedactor secrets)
{
    /// <summary>The session every chat saves itself as when it ends, and <c>--resume</c> with no name opens.</summary>
    public const string Last = "last";

    public const int MaxTurns = 500;
    public const int MaxTextChars = 20_000;
    private const long MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>Where sessions are kept, for people.</summary>
    public string Location => store.Location;

    /// <summary>A usable session name, or an error saying what one looks like.</summary>
    public static string CheckName(string name) => Name().IsMatch(name)
        ? name
        : throw new Composition.ConfigurationException($"a session name is 1-64 letters, digits, '.', '_' or '-', got {Core.Guards.Identifiers.Echo(name)}.");

    public void Save(string name, IReadOnlyList<ChatTurn> turns)
    {
        CheckName(name);
        var kept = turns.TakeLast(MaxTurns).Select(t => t with
        {
            Question = Clean(t.Question),
            Answer = Clean(t.Answer),
            Calls = [.. t.Calls.Select(c => c with { Result = Clean(c.Result) })],
        }).ToList();
        var session = new SavedSession(name, DateTimeOffset.UtcNow, kept);
        var document = JsonSerializer.Serialize(session, SessionJson.Default.SavedSession);
        while (document.Length > MaxFileBytes && kept.Count > 1)
        {
            // Too big for one document: the oldest questions go first.
            kept.RemoveRange(0, Math.Max(1, kept.Count / 4));
            document = JsonSerializer.Serialize(session with { Turns = kept }, SessionJson.Default.SavedSession);
        }

        // The REPL's commands are synchronous and paced by a person; the store's calls are short.
        store.SaveSessionAsync(owner, name, session.SavedAt, document, CancellationToken.None).GetAwaiter().GetResult();
    }

    public SavedSession Load(string name)
    {
        CheckName(name);
        if (store.LoadSessionAsync(owner, name, CancellationToken.None).GetAwaiter().GetResult() is { } document)
        {
            return Parse(document, $"saved session '{name}' in {store.Location}");
        }

        var path = LegacyPath(name);
        if (!File.Exists(path))
        {
            var known = List().Select(s => s.Name).ToList();
            throw new Composition.ConfigurationException($"no saved session '{name}'{(known.Count == 0 ? " yet: a chat saves itself as 'last' when it ends, and /save NAME saves it by name" : $"; saved: {string.Join(", ", known)}")}.");
        }

        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new InvalidDataException($"session file '{path}' is larger than {MaxFileBytes / (1024 * 1024)} MB; not loaded.");
        }

        return Parse(File.ReadAllText(path), $"session file '{path}'");
    }

    private static SavedSession Parse(string document, string what)
    {
        try
        {
            var session = JsonSerializer.Deserialize(document, SessionJson.Default.SavedSession);
            return session is { Turns: not null } ? session : throw new InvalidDataException($"{what} holds no session.");
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"{what} is not a saved session (not the JSON vgac writes).");
        }
    }

    public IReadOnlyList<SessionInfo> List()
    {
        var found = new Dictionary<string, SessionInfo>(StringComparer.Ordinal);
        foreach (var document in store.SessionsAsync(owner, CancellationToken.None).GetAwaiter().GetResult())
        {
            Add(document, found);
        }

        if (Directory.Exists(legacyFolder))
        {
            foreach (var file in Directory.EnumerateFiles(legacyFolder, "*.json").Where(f => new FileInfo(f).Length <= MaxFileBytes))
            {
                Add(File.ReadAllText(file), found);
            }
        }

        return [.. found.Values.OrderByDescending(s => s.SavedAt)];
    }

    private static void Add(string document, Dictionary<string, SessionInfo> found)
    {
        try
        {
            if (JsonSerializer.Deserialize(document, SessionJson.Default.SavedSession) is { Turns: not null } s && Name().IsMatch(s.Name))
            {
                found.TryAdd(s.Name, new SessionInfo(s.Name, s.Turns.Count, s.SavedAt));
            }
        }
        catch (JsonException)
        {
            // Not a session: not listed.
        }
    }

    private string LegacyPath(string name) => Path.Combine(legacyFolder, name + ".json");

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
