using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// The <c>--help</c> page of one command: its description, usage, arguments, its own options, the global options it
/// takes from the commands above it, its subcommands and its examples, in two aligned columns that wrap at the
/// terminal's width (and not at all in a pipe or a file).
/// </summary>
/// <remarks>
/// Written here rather than by System.CommandLine's help builder: that one looks up localised resources and resolves
/// generic calls at run time, which perf showed as a fifth of a native <c>vgac --help</c>. Here every string is ours
/// and every loop is over the command tree the parser already has.
/// </remarks>
internal static class HelpPage
{
    private const string Indent = "  ";

    /// <summary>The narrowest description column worth wrapping into; below it a description starts on its own line.</summary>
    private const int NarrowestColumn = 24;

    /// <summary>Writes the page for the command <paramref name="reached"/> names, <paramref name="width"/> columns wide.</summary>
    public static void Write(TextWriter writer, CommandResult reached, int width)
    {
        // Composed first and written once: the console flushes every line, a system call each.
        using var page = new StringWriter(CultureInfo.InvariantCulture) { NewLine = writer.NewLine };
        Compose(page, reached, width);
        writer.Write(page.ToString());
    }

    private static void Compose(TextWriter writer, CommandResult reached, int width)
    {
        var path = Path(reached);
        var command = path[^1];
        var isRoot = path.Count == 1;

        if (!string.IsNullOrWhiteSpace(command.Description))
        {
            writer.WriteLine("Description:");
            foreach (var line in Wrap(command.Description, width - Indent.Length))
            {
                writer.Write(Indent);
                writer.WriteLine(line);
            }

            writer.WriteLine();
        }

        var own = new List<Option>();
        var global = new List<Option>();
        Options(path, own, global);

        writer.WriteLine("Usage:");
        writer.WriteLine(Indent + Usage(path, hasOptions: own.Count + global.Count > 0));
        writer.WriteLine();

        Section(writer, "Arguments:", ArgumentRows(command), width);
        // At the top there is nothing to inherit from: the global options are the root's own.
        Section(writer, "Options:", Rows(isRoot ? [.. own, .. global] : own), width);
        Section(writer, "Global options:", Rows(isRoot ? [] : global), width);
        Section(writer, "Commands:", CommandRows(command), width);
        Examples(writer, command);
    }

    private static List<(string, string)> ArgumentRows(Command command)
    {
        var rows = new List<(string, string)>();
        foreach (var argument in Visible(command.Arguments))
        {
            rows.Add((Label(argument), Describe(argument.Description, argument.HasDefaultValue ? argument.GetDefaultValue() : null)));
        }

        return rows;
    }

    /// <summary>"show &lt;id&gt;": each subcommand with the arguments it takes.</summary>
    private static List<(string, string)> CommandRows(Command command)
    {
        var rows = new List<(string, string)>();
        foreach (var subcommand in Visible(command.Subcommands))
        {
            var usage = subcommand.Name;
            foreach (var argument in Visible(subcommand.Arguments))
            {
                usage += " " + Usage(argument);
            }

            rows.Add((usage, subcommand.Description ?? string.Empty));
        }

        return rows;
    }

    /// <summary>A command line and, under it, what it does.</summary>
    private static void Examples(TextWriter writer, Command command)
    {
        if (command is not VgacCommand { Examples.Count: > 0 } withExamples)
        {
            return;
        }

        writer.WriteLine("Examples:");
        foreach (var (line, what) in withExamples.Examples)
        {
            writer.WriteLine(Indent + line);
            writer.WriteLine(Indent + Indent + Indent + what);
        }

        writer.WriteLine();
    }

    /// <summary>The commands from the root down to the one reached.</summary>
    private static List<Command> Path(CommandResult reached)
    {
        var path = new List<Command>();
        for (SymbolResult? at = reached; at is CommandResult result; at = result.Parent)
        {
            path.Add(result.Command);
        }

        path.Reverse();
        return path;
    }

    /// <summary>
    /// The command's own options, then what it inherits: the recursive options of every command above it, nearest
    /// first, each once. Help (and, at the top, version) come last in either list, where people look for them.
    /// </summary>
    private static void Options(List<Command> path, List<Option> own, List<Option> global)
    {
        var seen = new HashSet<Option>(ReferenceEqualityComparer.Instance);
        var last = new List<Option>();
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var inherited = i < path.Count - 1;
            foreach (var option in path[i].Options)
            {
                if (option.Hidden || (inherited && !option.Recursive) || !seen.Add(option))
                {
                    continue;
                }

                (RootFlags.IsHelpOrVersion(option) ? last : inherited ? global : own).Add(option);
            }
        }

        (path.Count == 1 ? own : global).AddRange(last);
    }

    private static string Usage(List<Command> path, bool hasOptions)
    {
        var parts = new List<string>();
        foreach (var command in path)
        {
            parts.Add(command == path[0] ? RootFlags.DisplayName : command.Name);
            foreach (var argument in Visible(command.Arguments))
            {
                parts.Add(Usage(argument));
            }
        }

        foreach (var _ in Visible(path[^1].Subcommands))
        {
            parts.Add("[command]");
            break;
        }

        if (hasOptions)
        {
            parts.Add("[options]");
        }

        return string.Join(' ', parts);
    }

    /// <summary><c>&lt;id&gt;</c>, <c>[&lt;id&gt;]</c> when it may be left out, <c>&lt;file&gt;...</c> when it takes several.</summary>
    private static string Usage(Argument argument)
    {
        var label = Label(argument) + (argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty);
        return argument.Arity.MinimumNumberOfValues == 0 ? $"[{label}]" : label;
    }

    private static string Label(Argument argument) => $"<{argument.HelpName ?? argument.Name}>";

    private static List<(string, string)> Rows(List<Option> options)
    {
        var rows = new List<(string, string)>(options.Count);
        foreach (var option in options)
        {
            rows.Add(Row(option));
        }

        return rows;
    }

    /// <summary>"-o, --format &lt;text|json&gt;": the names shortest first, then the value's name if it takes one.</summary>
    private static (string, string) Row(Option option)
    {
        var names = new List<string>(option.Aliases.Count + 1) { option.Name };
        names.AddRange(option.Aliases);
        names.Sort(static (a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b));
        var first = string.Join(", ", names);
        if (option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0)
        {
            first += $" <{option.HelpName ?? option.Name.TrimStart('-')}>";
        }

        if (option.Required)
        {
            first += " (REQUIRED)";
        }

        return (first, Describe(option.Description, option.HasDefaultValue ? option.GetDefaultValue() : null));
    }

    /// <summary>The description, with "[default: x]" unless it already says what the default is (or it is a flag's false).</summary>
    private static string Describe(string? description, object? defaultValue)
    {
        description ??= string.Empty;
        if (defaultValue is null or false || description.Contains("default", StringComparison.OrdinalIgnoreCase)
            || Convert.ToString(defaultValue, CultureInfo.InvariantCulture) is not { Length: > 0 } value)
        {
            return description;
        }

        return description.Length == 0 ? $"[default: {value}]" : $"{description} [default: {value}]";
    }

    private static IEnumerable<T> Visible<T>(IEnumerable<T> symbols) where T : Symbol
    {
        foreach (var symbol in symbols)
        {
            if (!symbol.Hidden)
            {
                yield return symbol;
            }
        }
    }

    /// <summary>A titled list of two aligned columns; nothing at all when the list is empty.</summary>
    private static void Section(TextWriter writer, string title, List<(string First, string Second)> rows, int width)
    {
        if (rows.Count == 0)
        {
            return;
        }

        writer.WriteLine(title);
        var column = 0;
        foreach (var (first, _) in rows)
        {
            column = Math.Max(column, first.Length);
        }

        var wrapAt = width - Indent.Length - column - Indent.Length;
        foreach (var (first, second) in rows)
        {
            if (wrapAt < NarrowestColumn && width != int.MaxValue)
            {
                // Too narrow for two columns: the description goes under the names, indented.
                writer.WriteLine(Indent + first);
                foreach (var line in Wrap(second, width - (3 * Indent.Length)))
                {
                    writer.WriteLine(Indent + Indent + Indent + line);
                }

                continue;
            }

            var lines = Wrap(second, wrapAt);
            writer.WriteLine((Indent + first.PadRight(column) + Indent + (lines.Count > 0 ? lines[0] : string.Empty)).TrimEnd());
            for (var i = 1; i < lines.Count; i++)
            {
                writer.WriteLine(new string(' ', Indent.Length + column + Indent.Length) + lines[i]);
            }
        }

        writer.WriteLine();
    }

    /// <summary>Words packed into lines of at most <paramref name="width"/> characters (a longer word keeps its own line).</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        if (width <= 0 || text.Length <= width)
        {
            if (text.Length > 0)
            {
                lines.Add(text);
            }

            return lines;
        }

        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        return lines;
    }
}
