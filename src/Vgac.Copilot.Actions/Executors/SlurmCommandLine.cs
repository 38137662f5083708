using System.Text;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// The Slurm effects vgac makes, as <c>scontrol</c> argument lists, and the one way they are written as a preview
/// (<see cref="Render"/>) and read back from one (<see cref="Parse"/>). The preview a person saw is the command that
/// runs: the Slurm executor parses it into argument arrays (no shell) and refuses anything but what vgac writes —
/// <c>hold</c>, <c>release</c> and <c>update JobId=N Comment=…</c> on the proposal's own job.
/// </summary>
public static class SlurmCommandLine
{
    /// <summary>The program every step runs.</summary>
    public const string Program = "scontrol";

    /// <summary>The longest comment vgac writes on a job.</summary>
    public const int MaxComment = 250;

    /// <summary>Tier 1: the job's comment says what vgac saw.</summary>
    public static IReadOnlyList<string[]> Annotate(string jobId, string comment) => [Comment(jobId, comment)];

    /// <summary>Tier 4: the job is held (an admin hold) and its comment says why.</summary>
    public static IReadOnlyList<string[]> Gate(string jobId, string comment) => [["hold", jobId], Comment(jobId, comment)];

    /// <summary>Lifting a gate: the hold is released and the comment says so.</summary>
    public static IReadOnlyList<string[]> Release(string jobId, string comment) => [["release", jobId], Comment(jobId, comment)];

    /// <summary>The steps as one line a person can read and run: <c>scontrol hold 12 &amp;&amp; scontrol update JobId=12 'Comment=…'</c>.</summary>
    public static string Render(IReadOnlyList<string[]> steps) =>
        string.Join(" && ", steps.Select(step => string.Join(' ', step.Prepend(Program).Select(Quoted))));

    /// <summary>The <c>scontrol</c> verbs each action may run: what it does, and the comment saying so.</summary>
    private static string[] VerbsOf(string action) => action switch
    {
        "gate" => ["hold", "update"],
        "release" => ["release", "update"],
        _ => ["update"],
    };

    /// <summary>
    /// The steps of a preview written by <see cref="Render"/> for <paramref name="action"/>, each checked to be a step
    /// vgac makes for that action on <paramref name="jobId"/> (an annotation only comments, a gate holds, a release
    /// releases); or why the preview is not one (an executor then runs nothing, the audit check reports it).
    /// </summary>
    public static (IReadOnlyList<string[]>? Steps, string? Problem) Parse(string preview, string jobId, string action)
    {
        if (Identifiers.SlurmJobId(jobId) is { } bad)
        {
            return (null, bad);
        }

        if (Words(preview) is not { } words)
        {
            return (null, "the preview's quoting is not closed");
        }

        if (words.Count == 0)
        {
            return (null, "the preview has no step");
        }

        var steps = new List<string[]>();
        foreach (var step in Split(words))
        {
            if (step.Count < 2 || step[0] != Program)
            {
                return (null, $"every step must be '{Program} …'");
            }

            var args = step.Skip(1).ToArray();
            var problem = args switch
            {
                ["hold" or "release", var id] => id == jobId ? null : $"it names job {Identifiers.Echo(id)}, not {jobId}",
                ["update", var id, var comment] => id != $"JobId={jobId}" ? $"it updates {Identifiers.Echo(id)}, not JobId={jobId}"
                    : !comment.StartsWith("Comment=", StringComparison.Ordinal) ? "an update may set only the comment"
                    : CommentProblem(comment["Comment=".Length..]),
                _ => $"{Identifiers.Echo(string.Join(' ', args))} is not a step vgac makes (hold, release, update JobId=N Comment=…)",
            };
            if (problem is not null)
            {
                return (null, problem);
            }

            if (!VerbsOf(action).Contains(args[0], StringComparer.Ordinal))
            {
                return (null, $"{Identifiers.Echo(action)} may not {args[0]} the job (it may only {string.Join(" and ", VerbsOf(action))})");
            }

            steps.Add(args);
        }

        return (steps, null);
    }

    private static string[] Comment(string jobId, string comment)
    {
        return ["update", $"JobId={jobId}", $"Comment={Core.Text.UntrustedText.Fit(comment, MaxComment)}"];
    }

    private static string? CommentProblem(string text) =>
        text.Length > MaxComment ? $"the comment is longer than {MaxComment} characters"
        : text.Any(char.IsControl) ? "the comment holds control characters"
        : null;

    /// <summary>A word as a POSIX shell reads it back: bare when nothing in it is special, otherwise in single quotes.</summary>
    private static string Quoted(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '=' or '_' or '.' or '-' or ',' or ':' or '/')
            ? word
            : Identifiers.ShellQuote(word);

    /// <summary>
    /// Splits on spaces outside single quotes, undoing <see cref="Identifiers.ShellQuote"/> (a quote inside a word is
    /// written <c>'\''</c>); null when a quote is left open or a backslash stands anywhere else. A word that had quotes
    /// is marked, so a quoted <c>&amp;&amp;</c> is text, never a separator.
    /// </summary>
    private static List<(string Text, bool Quoted)>? Words(string line)
    {
        var words = new List<(string, bool)>();
        var word = new StringBuilder();
        var (quoted, inWord, hadQuotes) = (false, false, false);
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '\'')
                {
                    quoted = false;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c == '\'')
            {
                (quoted, inWord, hadQuotes) = (true, true, true);
            }
            else if (c == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
            {
                word.Append('\'');
                (inWord, hadQuotes) = (true, true);
                i++;
            }
            else if (c == '\\')
            {
                return null;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    words.Add((word.ToString(), hadQuotes));
                    word.Clear();
                    (inWord, hadQuotes) = (false, false);
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (quoted)
        {
            return null;
        }

        if (inWord)
        {
            words.Add((word.ToString(), hadQuotes));
        }

        return words;
    }

    private static IEnumerable<List<string>> Split(List<(string Text, bool Quoted)> words)
    {
        var step = new List<string>();
        foreach (var (text, quoted) in words)
        {
            if (text == "&&" && !quoted)
            {
                yield return step;
                step = [];
            }
            else
            {
                step.Add(text);
            }
        }

        yield return step;
    }
}
