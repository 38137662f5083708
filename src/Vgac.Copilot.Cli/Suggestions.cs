using System.CommandLine;
using System.CommandLine.Parsing;

namespace Vgac.Copilot.Cli;

/// <summary>"Did you mean ...": the closest command or option to each token the parser did not recognise.</summary>
internal static class Suggestions
{
    public static IEnumerable<string> For(ParseResult parse)
    {
        var names = Names(parse.CommandResult).ToList();
        var afterUnknownOption = false;
        foreach (var token in parse.UnmatchedTokens)
        {
            var option = token.StartsWith('-');
            if (!option && afterUnknownOption)
            {
                afterUnknownOption = false;
                continue; // the value of the option just reported
            }

            afterUnknownOption = option;
            var shown = token.Length <= 40 ? token : token[..40] + "...";
            var guess = Core.Text.NameMatch.Closest(token, names.Where(n => n.StartsWith('-') == option));
            yield return $"unknown {(option ? "option" : "command or argument")} '{shown}'{(guess is null ? "" : $"; did you mean '{guess}'?")}";
        }
    }

    /// <summary>The subcommands of the command reached, and the options of it and of every command above it.</summary>
    private static IEnumerable<string> Names(CommandResult command)
    {
        foreach (var sub in command.Command.Subcommands.Where(c => !c.Hidden))
        {
            yield return sub.Name;
        }

        for (SymbolResult? at = command; at is CommandResult c; at = c.Parent)
        {
            foreach (var option in c.Command.Options.Where(o => !o.Hidden))
            {
                yield return option.Name;
            }
        }
    }
}
