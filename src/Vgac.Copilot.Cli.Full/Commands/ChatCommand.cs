using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Cli.Chat;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Output;
using Vgac.Copilot.Client;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac chat</c>: an interactive session with the planner.</summary>
internal sealed class ChatCommand : VgacCommand
{
    /// <summary>A long-lived process: its VGAC client keeps a circuit breaker.</summary>
    public override bool LivesLong => true;

    public override bool OwnsCtrlC => true;

    /// <summary>The width Spectre lays out for when output is not a terminal: wide enough that nothing wraps.</summary>
    internal const int PlainWidth = 4096;

    private readonly Option<string?> resume = new("--resume")
    {
        Description = "Continue a saved session (default: the last one).",
        HelpName = "name",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public ChatCommand(CliContext context)
        : base(context, FullCommands.Chat, CommandNeeds.Vgac | CommandNeeds.Demo | CommandNeeds.Model)
    {
        Add(resume);
        Examples =
        [
            ("vgac chat --demo", "try it against the embedded simulator"),
            ("vgac chat --resume", "continue where the last session ended (or --resume NAME for one saved with /save NAME)"),
            ("vgac chat --llm-provider openai-compatible --llm-endpoint http://localhost:11434/v1 --llm-model qwen2.5:7b", "with a local model"),
        ];
    }

    protected override Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token) =>
        ChatAsync(parse, session, token);

    private async Task<int> ChatAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        if (session.Get<Microsoft.Extensions.Options.IOptions<Core.Settings.LlmOptions>>().Value.AllowActions)
        {
            session.Clusters.RequireConfiguredVgac("vgac chat with Llm:AllowActions");
        }

        var context = Context;
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.AnsiOut ?? session.Out),
            Ansi = context.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!context.Interactive)
        {
            // A pipe or a file has no width: nothing is wrapped at 80 columns.
            ansi.Profile.Width = PlainWidth;
        }

        var folder = ChatSettings.Resolve(session.Configuration);
        // Whose sessions: Chat:Owner if set, else whoever the store authenticated (the database role, or the OS user for a local file).
        var owner = session.Configuration.GetSection(ChatSettings.SectionName).Get<ChatSettings>()?.Owner is { Length: > 0 } named ? named : null;
        var sessions = new SavedSessions(session.Get<Vgac.Copilot.Audit.Storage.ISessionStore>(), owner, Path.Combine(folder, "sessions"), context.Secrets);
        string? resumeName = null;
        if (parse.GetResult(resume) is not null)
        {
            resumeName = SavedSessions.CheckName(parse.GetValue(resume) ?? SavedSessions.Last);
            sessions.Load(resumeName); // a missing or broken session is an error before the REPL starts
        }

        var console = new InertConsole(ansi, context.Secrets);
        var terminal = context.Interactive ? context.AnsiOut ?? Console.Out : null;
        var editor = terminal is null ? null : new LineEditor(terminal, ReadKey, () => Console.WindowWidth > 0 ? Console.WindowWidth : 80,
            new InputHistory(Path.Combine(folder, "history"), context.Secrets), [.. ChatSession.Commands.Select(c => c.Name)]);
        var chat = new ChatSession(session.Get<IPlanner>(), session.Get<ToolCatalog>(), session.Get<AnswerChecker>(), console, context.In, session.Get<IVgacClient>().BaseAddress.ToString(),
            new ChatOptions { Editor = editor, Sessions = sessions, Activity = session.Get<ToolActivity>(), Terminal = terminal, Resume = resumeName, Clusters = session.Clusters });
        ConsoleCancelEventHandler? onCancel = null;
        if (context.Interactive)
        {
            // Ctrl+C cancels the answer in progress and never ends the session (at the prompt the editor reads it
            // as a key and clears the line; Ctrl+D, exit or quit leave).
            onCancel = (_, e) =>
            {
                e.Cancel = true;
                chat.CancelCurrent();
            };
            Console.CancelKeyPress += onCancel;
        }

        try
        {
            return await chat.RunAsync(token).ConfigureAwait(false);
        }
        finally
        {
            if (onCancel is not null)
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
    }

    /// <summary>One key from the terminal, Ctrl+C included (read as a key at the prompt, a signal while answering).</summary>
    private static ConsoleKeyInfo ReadKey()
    {
        Console.TreatControlCAsInput = true;
        try
        {
            return Console.ReadKey(intercept: true);
        }
        finally
        {
            Console.TreatControlCAsInput = false;
        }
    }
}
