using System.CommandLine;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli;

/// <summary>The <c>vgac</c> command tree and its entry point.</summary>
public static partial class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        // Nothing untrusted reaches the terminal raw: every human-readable stream drops control characters.
        // Nor any secret: the redactor learns the environment's now and the configuration's when a command reads it.
        context.Secrets.Learn(context.Environment);
        context = context with
        {
            Args = args,
            AnsiOut = context.AnsiOut ?? context.Out,
            Out = Output.InertWriter.Wrap(context.Out, context.Secrets),
            Error = Output.InertWriter.Wrap(context.Error, context.Secrets),
        };
        Hosting.StartupTimeline.Mark("context");
        var root = BuildRoot(context);
        Hosting.StartupTimeline.Mark("command tree");
        if (RootFlags.TryReadSuggest(args, out var toComplete, out var position))
        {
            // Completions of a command this program does not carry come from the one that does.
            if (root.Parse(toComplete) is var partial && partial.CommandResult.Command is HandedOverCommand)
            {
                return await context.Host.HandOverAsync(args, partial, context).ConfigureAwait(false);
            }

            RootFlags.Suggest(root, toComplete, position, context.Out);
            return ExitCodes.Success;
        }

        var parse = root.Parse(args);
        Hosting.StartupTimeline.Mark("parsed");
        if (context.Host.HandsOver(parse))
        {
            // The one-shot vgac hands what it does not carry to vgac-full (see Hosting.OneShotHost).
            return await context.Host.HandOverAsync(args, parse, context).ConfigureAwait(false);
        }

        // Ctrl+C cancels the command's token; commands stop promptly on it. The long grace lets `vgac watch` finish
        // the cycle in progress (it offers a second Ctrl+C to stop at once).
        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(5) };
        if (parse.CommandResult.Command is VgacCommand { OwnsCtrlC: true })
        {
            // The REPL owns Ctrl+C: it cancels an answer, never the session.
            invocation.ProcessTerminationTimeout = null;
        }

        // --help wins over the errors beside it (vgac predict --gpus x --help shows the help).
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
            foreach (var line in Suggestions.For(parse))
            {
                await context.Error.WriteLineAsync($"vgac: {line}").ConfigureAwait(false);
            }

            foreach (var error in parse.Errors.Where(e => !unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))))
            {
                await context.Error.WriteLineAsync($"vgac: {Plain(error.Message)}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'vgac --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A parser message without .NET type names: "expected a number", not <c>System.Nullable`1[System.Double]</c>.</summary>
    internal static string Plain(string message) => ParseFailure().Match(message) is { Success: true } m
        ? $"{m.Groups["option"].Value}: expected a {Hosting.CommandHost.Friendly(m.Groups["type"].Value)}, got '{m.Groups["value"].Value}'."
        : message;

    [System.Text.RegularExpressions.GeneratedRegex(@"Cannot parse argument '(?<value>[^']*)' for (option|argument) '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex ParseFailure();

    internal static Command BuildRoot(CliContext context)
    {
        var root = new Command(RootFlags.ProgramName, "VGAC Copilot: ask a GPU cluster why jobs wait, predict waits, check calibration - with guards on every answer.");
        foreach (var option in GlobalOptions.Common)
        {
            root.Options.Add(option);
        }

        root.Options.Add(RootFlags.Help(context));
        root.Options.Add(RootFlags.Version(context));
        foreach (var command in CommandCatalog.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.SetAction(parse =>
        {
            // Bare `vgac` shows the help, as kubectl does.
            root.Parse("--help").Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error });
            return ExitCodes.Success;
        });
        return root;
    }
}
