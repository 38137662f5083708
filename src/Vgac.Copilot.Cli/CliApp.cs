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
            AnsiOut = context.AnsiOut ?? context.Out,
            Out = Output.InertWriter.Wrap(context.Out, context.Secrets),
            Error = Output.InertWriter.Wrap(context.Error, context.Secrets),
        };
        Hosting.StartupTimeline.Mark("context");
        var root = BuildRoot(context);
        Hosting.StartupTimeline.Mark("command tree");
        var parse = root.Parse(args);
        Hosting.StartupTimeline.Mark("parsed");
        // Ctrl+C cancels the command's token; commands stop promptly on it. The long grace lets `vgac watch` finish
        // the cycle in progress (it offers a second Ctrl+C to stop at once).
        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(5) };
        if (parse.CommandResult.Command is ChatCommand)
        {
            // The REPL owns Ctrl+C: it cancels an answer, never the session.
            invocation.ProcessTerminationTimeout = null;
        }

        if (parse.Errors.Count > 0 && parse.Action is not (System.CommandLine.Help.HelpAction or HelpWithExamples))
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

    internal static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("VGAC Copilot: ask a GPU cluster why jobs wait, predict waits, check calibration - with guards on every answer.");
        foreach (var option in GlobalOptions.Common)
        {
            root.Options.Add(option);
        }

        foreach (var command in CommandCatalog.Create(context))
        {
            root.Subcommands.Add(command);
        }

        foreach (var option in root.Options)
        {
            switch (option)
            {
                case System.CommandLine.Help.HelpOption { Action: System.CommandLine.Help.HelpAction help } helpOption:
                    // Not at a terminal: no wrapping at 80 columns (a pipe or a file has no width).
                    help.MaxWidth = context.Interactive ? help.MaxWidth : int.MaxValue;
                    helpOption.Action = new HelpWithExamples(help, context);
                    break;
                case VersionOption versionOption:
                    versionOption.Action = new VersionLine(context);
                    break;
            }
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

/// <summary><c>--help</c>, then the command's examples (a command line and what it does).</summary>
internal sealed class HelpWithExamples(System.CommandLine.Help.HelpAction help, CliContext context) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var code = help.Invoke(parseResult);
        if (parseResult.CommandResult.Command is VgacCommand { Examples.Count: > 0 } command)
        {
            context.Out.WriteLine("Examples:");
            foreach (var (line, what) in command.Examples)
            {
                context.Out.WriteLine($"  {line}");
                context.Out.WriteLine($"      {what}");
            }

            context.Out.WriteLine();
        }

        return code;
    }
}

/// <summary><c>vgac --version</c>: the name, the version and the commit it was built from.</summary>
internal sealed class VersionLine(CliContext context) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var informational = typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        var parts = informational.Split('+', 2);
        context.Out.WriteLine(parts.Length == 2 ? $"vgac {parts[0]} (commit {parts[1][..Math.Min(12, parts[1].Length)]})" : $"vgac {parts[0]}");
        return ExitCodes.Success;
    }
}
