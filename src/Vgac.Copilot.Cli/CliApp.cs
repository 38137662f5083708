using System.CommandLine;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli;

/// <summary>The <c>vgac</c> command tree and its entry point.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        // Nothing untrusted reaches the terminal raw: every human-readable stream drops control characters.
        // Nor any secret: the redactor learns the environment's now and the configuration's when a command reads it.
        context.Secrets.Learn(context.Environment);
        context = context with
        {
            AnsiOut = context.AnsiOut ?? context.Out,
            Out = Output.InertWriter.Wrap(context.Out, context.Secrets),
            Error = Output.InertWriter.Wrap(context.Error, context.Secrets),
        };
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        // Ctrl+C cancels the command's token; commands stop promptly on it. The long grace lets `vgac watch` finish
        // the cycle in progress (it offers a second Ctrl+C to stop at once).
        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(5) };

        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
            foreach (var line in Suggestions.For(parse))
            {
                await context.Error.WriteLineAsync($"vgac: {line}").ConfigureAwait(false);
            }

            foreach (var error in parse.Errors.Where(e => !unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))))
            {
                await context.Error.WriteLineAsync($"vgac: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'vgac --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    internal static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("VGAC Copilot: ask a GPU cluster why jobs wait, predict waits, check calibration - with guards on every answer.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(DoctorCommand.Create(context));
        root.Subcommands.Add(ConfigCommand.Create(context));
        root.Subcommands.Add(ChatCommand.Create(context));
        root.Subcommands.Add(AskCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(CalibrationCommand.Create(context));
        root.Subcommands.Add(McpCommand.Create(context));
        root.Subcommands.Add(EvalCommands.Eval(context));
        root.Subcommands.Add(EvalCommands.Record(context));
        root.Subcommands.Add(WatchCommands.Watch(context));
        root.Subcommands.Add(WatchCommands.Audit(context));
        root.Subcommands.Add(ActionsCommand.Create(context));
        root.Subcommands.Add(SimCommand.Create(context));

        root.SetAction(parse =>
        {
            // Bare `vgac` shows the help, as kubectl does.
            root.Parse("--help").Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error });
            return ExitCodes.Success;
        });
        return root;
    }
}
