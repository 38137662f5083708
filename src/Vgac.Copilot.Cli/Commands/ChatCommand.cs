using System.CommandLine;
using Spectre.Console;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Cli.Chat;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Plugins.Catalog;

using Vgac.Copilot.Cli.Output;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac chat</c>: an interactive session with the planner.</summary>
internal sealed class ChatCommand : VgacCommand
{
    public ChatCommand(CliContext context)
        : base(context, "chat", "Chat with the copilot in the terminal: questions in plain language, answers grounded in VGAC's numbers.", CommandNeeds.Vgac | CommandNeeds.Demo | CommandNeeds.Model)
    {
        Examples = [("vgac chat --demo", "try it against the embedded simulator"), ("vgac chat --llm-provider openai-compatible --llm-endpoint http://localhost:11434/v1 --llm-model qwen2.5:7b", "with a local model")];
    }

    /// <summary>The width Spectre lays out for when output is not a terminal: wide enough that nothing wraps.</summary>
    internal const int PlainWidth = 4096;

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        var context = Context;
        {
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

            var console = new InertConsole(ansi, context.Secrets);
            var chat = new ChatSession(session.Get<IPlanner>(), session.Get<ToolCatalog>(), session.Get<AnswerChecker>(), console, context.In, session.Get<IVgacClient>().BaseAddress.ToString(),
                context.Interactive ? new HistoryLineReader("vgac> ") : null);
            ConsoleCancelEventHandler? onCancel = null;
            if (context.Interactive)
            {
                // Ctrl+C cancels the answer in progress; with none in progress it leaves, as a shell does.
                onCancel = (_, e) => e.Cancel = chat.CancelCurrent();
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
    }
}
