using System.Globalization;
using Spectre.Console;

namespace Vgac.Copilot.Cli.Chat;

/// <summary>The REPL's slash commands: /help, /tools, /trace, /clear, /cluster, /save and the rest.</summary>
internal sealed partial class ChatSession
{
    /// <summary>Runs a slash command; false means leave.</summary>
    private bool Command(string line)
    {
        var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        switch (parts[0].ToLowerInvariant())
        {
            case "/exit" or "/quit":
                return false;
            case "/help":
                ShowHelp();
                break;
            case "/tools":
                ShowTools();
                break;
            case "/last":
                ShowLast();
                break;
            case "/clear":
                Clear();
                break;
            case "/model":
                ShowModel();
                break;
            case "/cluster":
                ClusterCommand(argument);
                break;
            case "/trace":
                Trace(argument);
                break;
            case "/history":
                ShowHistory();
                break;
            case "/save":
                Save(argument);
                break;
            case "/sessions":
                ShowSessions();
                break;
            default:
                Unknown(parts[0]);
                break;
        }

        return true;
    }

    private void ShowHelp()
    {
        var help = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, what) in Commands)
        {
            help.AddRow(name, Markup.Escape(what));
        }

        console.Write(help);
    }

    private void ShowTools()
    {
        var table = NewTable().AddColumn("tool").AddColumn("what it is for");
        foreach (var tool in catalog.Select())
        {
            table.AddRow(Markup.Escape(tool.Name), Markup.Escape(tool.Description));
        }

        console.Write(table);
    }

    private void ShowLast()
    {
        if (_lastCalls.Count == 0)
        {
            console.MarkupLine("[grey]no tool has run yet[/]");
            return;
        }

        var call = _lastCalls[^1];
        console.MarkupLine($"[grey]{Markup.Escape(call.Name)} ({(call.Ok ? "ok" : "error")}, {call.DurationMs.ToString("0", CultureInfo.InvariantCulture)} ms)[/]");
        console.WriteLine(Pretty(call.Result));
    }

    private void Clear()
    {
        planner.Reset();
        _turns.Clear();
        if (_options.Terminal is not null)
        {
            console.Clear();
        }

        console.MarkupLine("[grey]screen and conversation cleared[/]");
    }

    private void ShowModel()
    {
        console.MarkupLine($"planner {planner.Kind}{(planner.Model is null ? " (no model: answers come from templates over tool results)" : $", model {Markup.Escape(planner.Model)}")}");
    }

    private void Trace(string? argument)
    {
        _trace = argument?.ToLowerInvariant() switch { "on" => true, "off" => false, _ => !_trace };
        console.MarkupLine($"tool-call trace {(_trace ? "on" : "off")}");
        if (_trace)
        {
            ShowCalls(_lastCalls);
        }
    }

    private void ShowHistory()
    {
        var asked = _options.Editor?.History.Entries ?? [.. _turns.Select(t => t.Question)];
        for (var i = 0; i < asked.Count; i++)
        {
            console.WriteLine($"{i + 1,4}  {asked[i]}");
        }
    }

    private void Save(string? argument)
    {
        if (_options.Sessions is { } sessions)
        {
            TrySave(sessions, argument ?? DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture), quiet: false);
        }
    }

    private void ShowSessions()
    {
        var saved = _options.Sessions?.List() ?? [];
        if (saved.Count == 0)
        {
            console.MarkupLine("[grey]no saved sessions yet: /save NAME saves this one[/]");
        }

        foreach (var session in saved)
        {
            console.WriteLine($"{session.Name,-24} {Core.Text.Words.Count(session.Turns, "question"),-14} {session.SavedAt:yyyy-MM-dd HH:mm} UTC");
        }
    }

    private void Unknown(string name)
    {
        var guess = Core.Text.NameMatch.Closest(name, Commands.Select(c => c.Name));
        console.MarkupLine($"[red]unknown command {Markup.Escape(name)}[/]{(guess is null ? "" : $"; did you mean {guess}?")} /help lists them");
    }

    /// <summary><c>/cluster</c> lists the clusters (the current one marked); <c>/cluster NAME</c> sends the next questions there.</summary>
    private void ClusterCommand(string? name)
    {
        if (_options.Clusters is not { Clusters.Count: > 1 } clusters)
        {
            console.MarkupLine($"[grey]one VGAC is configured ({Markup.Escape(vgacUrl)}); a Clusters list in the configuration adds more[/]");
            return;
        }

        if (name is null)
        {
            foreach (var cluster in clusters.Clusters)
            {
                console.MarkupLine($"{(cluster.Name == clusters.Current ? "[green]*[/]" : " ")} {Markup.Escape(cluster.Name),-12} {Markup.Escape(cluster.Endpoint)}");
            }

            return;
        }

        if (!clusters.Clusters.Any(c => c.Name == name))
        {
            var guess = Core.Text.NameMatch.Closest(name, clusters.Clusters.Select(c => c.Name));
            console.MarkupLine($"[red]no cluster is named {Markup.Escape(name)}[/]{(guess is null ? "" : $"; did you mean {Markup.Escape(guess)}?")} (/cluster lists them)");
            return;
        }

        clusters.Current = name;
        console.MarkupLine($"questions now go to [green]{Markup.Escape(name)}[/] (a question can still name another: \"... on slurm\")");
    }

    private void TrySave(SavedSessions sessions, string name, bool quiet)
    {
        try
        {
            sessions.Save(name, _turns);
            if (!quiet)
            {
                console.MarkupLine(Markup.Escape($"saved as '{name}' ({Core.Text.Words.Count(_turns.Count, "question")}): vgac chat --resume {name}"));
            }
        }
        catch (Exception ex) when (ex is Composition.ConfigurationException or IOException or UnauthorizedAccessException or Audit.Storage.AuditStoreException
            or System.Data.Common.DbException)
        {
            console.MarkupLine($"[red]not saved:[/] {Markup.Escape(ex.Message)}");
        }
    }
}
