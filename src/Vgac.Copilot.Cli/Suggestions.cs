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
            var guess = Closest(token, names.Where(n => n.StartsWith('-') == option));
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

    /// <summary>The nearest name within two edits (a swap of neighbours counts as one), or a unique name it starts.</summary>
    private static string? Closest(string token, IEnumerable<string> names)
    {
        var candidates = names.Distinct(StringComparer.Ordinal).Select(n => (Name: n, Distance: Distance(token, n))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).ToList();
        if (candidates.Count > 0)
        {
            return candidates[0].Name;
        }

        var prefixed = names.Where(n => n.StartsWith(token, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
