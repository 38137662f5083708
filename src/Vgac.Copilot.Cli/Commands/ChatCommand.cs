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
internal static class ChatCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("chat", "Chat with the copilot in the terminal: questions in plain language, answers grounded in VGAC's numbers.");
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
        {
            var console = new InertConsole(AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(context.AnsiOut ?? session.Out),
                Ansi = context.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = context.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = context.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
            }), context.Secrets);
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
        }, ct));
        return command;
    }
}
