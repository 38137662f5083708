using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>What the REPL has beyond a console and lines of input: a person's terminal, saved sessions, live tool activity.</summary>
internal sealed record ChatOptions
{
    /// <summary>The line editor, when a person is at a terminal (null: lines are read plainly from the input).</summary>
    public LineEditor? Editor { get; init; }

    /// <summary>Where sessions are saved (<c>/save</c>, <c>--resume</c>); null: not saved.</summary>
    public SavedSessions? Sessions { get; init; }

    /// <summary>Tool calls as they start and end, for the live line.</summary>
    public ToolActivity? Activity { get; init; }

    /// <summary>The raw terminal, for the live line and clearing the screen (null when not a terminal).</summary>
    public TextWriter? Terminal { get; init; }

    /// <summary>A saved session to continue (its questions and answers go back into the conversation).</summary>
    public string? Resume { get; init; }

    /// <summary>The clusters questions may go to; <c>/cluster</c> changes the current one.</summary>
    public Core.Clusters.IClusterDirectory? Clusters { get; init; }
}

/// <summary>
/// The REPL: reads questions and slash commands, streams answers, shows each tool call while it runs and after
/// (name, key arguments, verdict, time). Ctrl+C cancels the answer in progress and keeps the session; sessions are
/// saved and resumed with their questions, answers and tool results.
/// </summary>
internal sealed partial class ChatSession(IPlanner planner, ToolCatalog catalog, AnswerChecker checker, IAnsiConsole console, TextReader input, string vgacUrl, ChatOptions? options = null)
{
    /// <summary>The slash commands, with what each does (for /help and Tab).</summary>
    public static readonly IReadOnlyList<(string Name, string What)> Commands =
    [
        ("/help", "this list"),
        ("/tools", "the tools the planner may call"),
        ("/last", "the last tool result in full (JSON)"),
        ("/trace", "on|off: show tool calls after each answer (now: the last answer's)"),
        ("/history", "your questions so far (up/down recall them, Ctrl+R searches)"),
        ("/clear", "clear the screen and forget the conversation"),
        ("/model", "which planner and model answer"),
        ("/cluster", "[NAME]: the clusters, or switch the one questions go to"),
        ("/save", "[NAME]: save this session (questions, answers, tool results)"),
        ("/sessions", "the saved sessions ('vgac chat --resume NAME' continues one)"),
        ("/exit", "leave (also: exit, quit, Ctrl+D)"),
    ];

    private readonly ChatOptions _options = options ?? new ChatOptions();
    private readonly List<ChatTurn> _turns = [];
    private readonly Lock _gate = new();
    private CancellationTokenSource? _current;
    private bool _trace = true;
    private IReadOnlyList<ToolCallRecord> _lastCalls = [];

    public IReadOnlyList<ChatTurn> Turns => _turns;

    /// <summary>"vgac>", or "vgac[eks]>" with several clusters: where the next question goes is always in sight.</summary>
    private string Prompt => _options.Clusters is { Clusters.Count: > 1 } clusters ? $"vgac[{clusters.Current}]>" : "vgac>";

    /// <summary>Cancels the answer being written, if any (Ctrl+C).</summary>
    public bool CancelCurrent()
    {
        lock (_gate)
        {
            if (_current is null)
            {
                return false;
            }

            _current.Cancel();
            return true;
        }
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var where = _options.Clusters is { Clusters.Count: > 1 } clusters
            ? $"clusters {Markup.Escape(string.Join(", ", clusters.Clusters.Select(c => c.Name)))} (questions go to [blue]{Markup.Escape(clusters.Current)}[/]; /cluster switches)"
            : $"VGAC at [blue]{Markup.Escape(vgacUrl)}[/]";
        console.MarkupLine($"[bold]VGAC Copilot[/] - planner [green]{planner.Kind}[/]{(planner.Model is null ? "" : $" ({Markup.Escape(planner.Model)})")}, {where}");
        console.MarkupLine("[grey]Ask about the cluster, the queue, wait predictions or calibration. /help lists commands, Ctrl+C cancels an answer, exit leaves.[/]");
        if (_options.Resume is { } name)
        {
            Resume(name);
        }

        using var live = _options.Activity is not null && _options.Terminal is not null ? new LiveToolLine(_options.Activity, _options.Terminal) : null;
        while (!cancellationToken.IsCancellationRequested)
        {
            string? line;
            if (_options.Editor is { } editor)
            {
                line = editor.ReadLine(Prompt + " ");
            }
            else
            {
                console.Markup($"[bold]{Markup.Escape(Prompt)}[/] ");
                line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }

            if (line is null)
            {
                break;
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Equals("exit", StringComparison.OrdinalIgnoreCase) || line.Equals("quit", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            if (line.StartsWith('/'))
            {
                if (!Command(line))
                {
                    break;
                }

                continue;
            }

            await AnswerAsync(line, cancellationToken).ConfigureAwait(false);
        }

        if (_turns.Count > 0 && _options.Sessions is { } sessions)
        {
            TrySave(sessions, SavedSessions.Last, quiet: true);
        }

        console.MarkupLine("[grey]bye[/]");
        return ExitCodes.Success;
    }

    private void Resume(string name)
    {
        if (_options.Sessions is not { } sessions)
        {
            return;
        }

        var session = sessions.Load(name);
        foreach (var turn in session.Turns)
        {
            _turns.Add(turn);
            (planner as LlmPlanner)?.Remember(turn.Question, turn.Answer);
        }

        console.MarkupLine(Markup.Escape($"Resumed session '{session.Name}' ({Core.Text.Words.Count(session.Turns.Count, "question")}, saved {session.SavedAt:yyyy-MM-dd HH:mm} UTC)."));
        if (session.Turns.Count > 0)
        {
            var last = session.Turns[^1];
            console.MarkupLine($"[grey]last: {Markup.Escape(Cut(last.Question, 100))}[/]");
            console.WriteLine(last.Answer);
            // /last and /trace show the saved tool results as they were (their arguments are not kept).
            _lastCalls = [.. last.Calls.Select(c => new ToolCallRecord(c.Name, new Dictionary<string, object?>(), c.Ok, c.Verdict, c.DurationMs, c.Result))];
        }
    }

    private async Task AnswerAsync(string question, CancellationToken cancellationToken)
    {
        using var current = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            _current = current;
        }

        try
        {
            string said;
            if (planner is LlmPlanner llm)
            {
                var text = new System.Text.StringBuilder();
                var wrap = new WordWrap(console.Profile.Capabilities.Interactive ? console.Profile.Width : int.MaxValue);
                await foreach (var piece in llm.StreamAsync(question, cancellationToken: current.Token).ConfigureAwait(false))
                {
                    text.Append(piece);
                    console.Write(new Text(wrap.Next(piece)));
                }

                console.WriteLine();
                (said, _lastCalls) = (text.ToString(), llm.LastCalls);
            }
            else
            {
                var answer = await planner.AskAsync(question, current.Token).ConfigureAwait(false);
                console.WriteLine(answer.Answer);
                (said, _lastCalls) = (answer.Answer, answer.ToolCalls);
            }

            _turns.Add(new ChatTurn(question, said, [.. _lastCalls.Select(c => new SavedCall(c.Name, c.Ok, c.Verdict, Math.Round(c.DurationMs, 1), c.Result))], DateTimeOffset.UtcNow));

            // Checked in code before the person acts on it: a streamed answer gets its warning right after it.
            foreach (var line in Output.AnswerWarning.After(checker.Check(question, said, _lastCalls)))
            {
                console.MarkupLine(line.StartsWith("WARNING", StringComparison.Ordinal) ? $"[yellow]{Markup.Escape(line)}[/]"
                    : line.StartsWith("The guards' verdict:", StringComparison.Ordinal) ? $"[grey]{Markup.Escape(line)}[/]" : Markup.Escape(line));
            }

            ShowTables(_lastCalls, said);
            if (_trace)
            {
                ShowCalls(_lastCalls);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            console.WriteLine();
            console.MarkupLine("[yellow](answer cancelled; the session goes on)[/]");
        }
        finally
        {
            lock (_gate)
            {
                _current = null;
            }
        }
    }

    /// <summary>
    /// The queue's jobs as a table, easier to scan, when the answer did not list them already (each fact once: an
    /// answer that names the jobs gets no table repeating them; a cluster summary is said in the answer's sentence).
    /// </summary>
    private void ShowTables(IReadOnlyList<ToolCallRecord> calls, string answer)
    {
        foreach (var call in calls.Where(c => c.Ok && c.Name == ToolNames.ObserverJobQueue))
        {
            using var json = JsonDocument.Parse(call.Result.Length == 0 ? "{}" : call.Result);
            if (!json.RootElement.TryGetProperty("jobs", out var jobs) || jobs.GetArrayLength() == 0
                || jobs.EnumerateArray().Any(j => j.TryGetProperty("job_id", out var id) && id.GetString() is { Length: > 0 } name && answer.Contains(name, StringComparison.Ordinal)))
            {
                continue;
            }

            var table = NewTable().AddColumns("#", "job", "namespace", "GPUs", "priority", "waited", "reason");
            foreach (var job in jobs.EnumerateArray())
            {
                var waited = job.TryGetProperty("wait_seconds", out var w) && w.ValueKind == JsonValueKind.Number ? Core.Text.Words.Duration(w.GetDouble()) : "-";
                table.AddRow(Cell(job, "queue_position"), Cell(job, "job_id"), Cell(job, "namespace"), Cell(job, "gpus"), Cell(job, "priority"), waited, Cell(job, "reason"));
            }

            console.Write(table);
        }
    }

    /// <summary>Boxes at a terminal; plain columns in a pipe or a file, where box characters are noise for grep and scripts.</summary>
    private Table NewTable() => console.Profile.Capabilities.Interactive ? new Table() : new Table().Border(TableBorder.None);

    private static string Cell(JsonElement element, string name) =>
        Markup.Escape(element.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "-");

    private void ShowCalls(IReadOnlyList<ToolCallRecord> calls)
    {
        foreach (var call in calls)
        {
            var args = call.Arguments.Count == 0 ? "" : " " + string.Join(", ", call.Arguments.Select(kv => $"{kv.Key}={Format(kv.Value)}"));
            var status = call.Ok ? "[green]ok[/]" : "[red]error[/]";
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"  [grey]· {Markup.Escape(call.Name)}{Markup.Escape(args)}[/] {status}{(call.Verdict is null ? "" : $" [grey]({Markup.Escape(call.Verdict)})[/]")} [grey]{call.DurationMs:0} ms[/]"));
        }
    }

    private static string Pretty(string result)
    {
        try
        {
            using var document = JsonDocument.Parse(result);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                document.RootElement.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return result;
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Format(object? value) => value switch
    {
        null => "null",
        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
