using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Plugins.Catalog;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>
/// The REPL: reads questions and slash commands line by line, streams answers, shows each tool call (name, key
/// arguments, verdict, time), and lets Ctrl+C cancel the answer in progress without leaving the session.
/// </summary>
internal sealed class ChatSession(IPlanner planner, ToolCatalog catalog, AnswerChecker checker, IAnsiConsole console, TextReader input, string vgacUrl, HistoryLineReader? terminal = null)
{
    private readonly List<string> _history = [];
    private readonly Lock _gate = new();
    private CancellationTokenSource? _current;
    private bool _trace = true;
    private IReadOnlyList<ToolCallRecord> _lastCalls = [];

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
        console.MarkupLine($"[bold]VGAC Copilot[/] - planner [green]{planner.Kind}[/]{(planner.Model is null ? "" : $" ({Markup.Escape(planner.Model)})")}, VGAC at [blue]{Markup.Escape(vgacUrl)}[/]");
        console.MarkupLine("[grey]Ask about the cluster, the queue, wait predictions or calibration. /help lists commands, Ctrl+C cancels an answer, /exit leaves.[/]");
        while (!cancellationToken.IsCancellationRequested)
        {
            console.Markup("[bold]vgac>[/] ");
            var line = terminal is not null ? terminal.ReadLine() : await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('/'))
            {
                if (!Command(line))
                {
                    break;
                }

                continue;
            }

            _history.Add(line);
            await AnswerAsync(line, cancellationToken).ConfigureAwait(false);
        }

        console.MarkupLine("[grey]bye[/]");
        return ExitCodes.Success;
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
                await foreach (var piece in llm.StreamAsync(question, cancellationToken: current.Token).ConfigureAwait(false))
                {
                    text.Append(piece);
                    console.Write(new Text(piece));
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

            // Checked in code before the person acts on it: a streamed answer gets its warning right after it.
            if (checker.Check(question, said, _lastCalls) is { Passed: false } check)
            {
                foreach (var line in Output.AnswerWarning.Lines(check))
                {
                    console.MarkupLine(line.StartsWith("WARNING", StringComparison.Ordinal) ? $"[yellow]{Markup.Escape(line)}[/]" : Markup.Escape(line));
                }
            }

            ShowTables(_lastCalls);
            if (_trace)
            {
                ShowCalls(_lastCalls);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow](answer cancelled)[/]");
        }
        finally
        {
            lock (_gate)
            {
                _current = null;
            }
        }
    }

    /// <summary>Cluster and queue results also as tables: the same numbers, easier to scan.</summary>
    private void ShowTables(IReadOnlyList<ToolCallRecord> calls)
    {
        foreach (var call in calls.Where(c => c.Ok))
        {
            using var json = JsonDocument.Parse(call.Result.Length == 0 ? "{}" : call.Result);
            var root = json.RootElement;
            if (call.Name == ToolNames.ObserverClusterSummary)
            {
                var table = NewTable().AddColumns("GPUs free", "GPUs total", "utilization", "pending", "running", "nodes ready");
                table.AddRow(Cell(root, "gpus_available"), Cell(root, "gpus_total"), Cell(root, "gpu_utilization"), Cell(root, "jobs_pending"), Cell(root, "jobs_running"),
                    $"{Cell(root, "nodes_ready")}/{Cell(root, "nodes_total")}");
                console.Write(table);
            }
            else if (call.Name == ToolNames.ObserverJobQueue && root.TryGetProperty("jobs", out var jobs) && jobs.GetArrayLength() > 0)
            {
                var table = NewTable().AddColumns("#", "job", "namespace", "GPUs", "priority", "waited s", "reason");
                foreach (var job in jobs.EnumerateArray())
                {
                    table.AddRow(Cell(job, "queue_position"), Cell(job, "job_id"), Cell(job, "namespace"), Cell(job, "gpus"), Cell(job, "priority"), Cell(job, "wait_seconds"), Cell(job, "reason"));
                }

                console.Write(table);
            }
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

    /// <summary>Runs a slash command; false means leave.</summary>
    private bool Command(string line)
    {
        switch (line.Split(' ', 2)[0].ToLowerInvariant())
        {
            case "/exit" or "/quit":
                return false;
            case "/help":
                console.MarkupLine("/help  this list\n/tools  the tools the planner may call\n/clear  forget the conversation\n/model  which planner and model answer\n/trace  show or hide tool calls (last answer's calls are shown now)\n/history  your questions so far (up and down arrows recall them)\n/exit  leave");
                break;
            case "/tools":
                var table = NewTable().AddColumn("tool").AddColumn("what it is for");
                foreach (var tool in catalog.Select())
                {
                    table.AddRow(Markup.Escape(tool.Name), Markup.Escape(tool.Description));
                }

                console.Write(table);
                break;
            case "/clear":
                planner.Reset();
                console.MarkupLine("[grey]conversation cleared[/]");
                break;
            case "/model":
                console.MarkupLine($"planner {planner.Kind}{(planner.Model is null ? " (no model: answers come from templates over tool results)" : $", model {Markup.Escape(planner.Model)}")}");
                break;
            case "/trace":
                _trace = !_trace;
                console.MarkupLine($"tool-call trace {(_trace ? "on" : "off")}");
                ShowCalls(_lastCalls);
                break;
            case "/history":
                for (var i = 0; i < _history.Count; i++)
                {
                    console.WriteLine($"{i + 1}. {_history[i]}");
                }

                break;
            default:
                console.MarkupLine($"[red]unknown command {Markup.Escape(line)}[/]; /help lists them");
                break;
        }

        return true;
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
