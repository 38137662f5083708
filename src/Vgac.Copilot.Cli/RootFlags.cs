using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using Vgac.Copilot.Cli.Output;

namespace Vgac.Copilot.Cli;

/// <summary>
/// What the top of the command tree answers by itself: <c>--help</c> (on every command), <c>--version</c>, and the
/// <c>[suggest:N]</c> directive the shell completion scripts call. The root is a plain command rather than
/// System.CommandLine's <c>RootCommand</c>, whose constructor finds the program's name by reflection over the
/// loaded assemblies and builds its help and version options from localised resources: together a quarter of a
/// native <c>vgac --help</c> (perf), spent before a single argument is read.
/// </summary>
internal static class RootFlags
{
    public const string ProgramName = "vgac";

    /// <summary>The file name that makes this program a kubectl plugin (<c>kubectl vgac …</c> runs it).</summary>
    public const string KubectlPluginName = "kubectl-vgac";

    /// <summary>
    /// The name a person typed: <c>kubectl vgac</c> when this program was started as <c>kubectl-vgac</c> (a link on
    /// <c>PATH</c>, which kubectl runs for <c>kubectl vgac</c>), else <c>vgac</c>. Help and usage lines say it.
    /// </summary>
    public static string DisplayName { get; } =
        Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs().FirstOrDefault() ?? "") == KubectlPluginName ? "kubectl vgac" : ProgramName;

    private const string SuggestDirective = "[suggest";

    /// <summary><c>-?</c>, <c>-h</c>, <c>--help</c>: the help page of the command it follows (parse errors aside).</summary>
    public static Option<bool> Help(CliContext context) => new("--help", "-h", "-?")
    {
        Description = "Show help and usage information.",
        Arity = ArgumentArity.Zero,
        Recursive = true,
        Action = new ShowHelp(context),
    };

    /// <summary><c>--version</c>: the name, the version and the commit it was built from.</summary>
    public static Option<bool> Version(CliContext context) => new("--version")
    {
        Description = "Show version information.",
        Arity = ArgumentArity.Zero,
        Action = new ShowVersion(context),
    };

    public static bool IsHelpOrVersion(Option option) => option.Action is ShowHelp or ShowVersion;

    /// <summary>
    /// <c>vgac "[suggest:12]" "vgac predict --g"</c>: the completions at that position of that line, one per line. The
    /// position may be left out (the end of the line); the line may also come as several arguments.
    /// </summary>
    public static bool TryReadSuggest(string[] args, out string line, out int position)
    {
        line = string.Empty;
        position = 0;
        if (args.Length == 0 || !args[0].StartsWith(SuggestDirective, StringComparison.Ordinal) || !args[0].EndsWith(']'))
        {
            return false;
        }

        var spec = args[0][SuggestDirective.Length..^1];
        line = string.Join(' ', args.AsSpan(1));
        if (spec.Length == 0)
        {
            position = line.Length;
            return true;
        }

        return spec[0] == ':' && int.TryParse(spec.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }

    /// <summary>
    /// The completion scripts' question answered: what may come at <paramref name="position"/> of <paramref name="line"/>,
    /// starting with the word being typed there, one per line.
    /// </summary>
    public static void Suggest(Command root, string line, int position, TextWriter output)
    {
        var typed = line[..Math.Min(position, line.Length)];
        typed = typed[(typed.LastIndexOf(' ') + 1)..];
        foreach (var completion in root.Parse(line).GetCompletions(position))
        {
            if (completion.Label.StartsWith(typed, StringComparison.Ordinal))
            {
                output.WriteLine(completion.Label);
            }
        }
    }

    /// <summary>The terminal's width when a person is reading, else no limit (a pipe or a file has no width).</summary>
    private static int Width(CliContext context)
    {
        if (!context.Interactive)
        {
            return int.MaxValue;
        }

        try
        {
            return Console.WindowWidth is var width and > 0 ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    private sealed class ShowHelp(CliContext context) : SynchronousCommandLineAction
    {
        /// <summary><c>vgac predict --gpus x --help</c> shows the help, not the error in <c>--gpus</c>.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            HelpPage.Write(context.Out, parseResult.CommandResult, Width(context));
            return ExitCodes.Success;
        }
    }

    private sealed class ShowVersion(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var informational = typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
            var parts = informational.Split('+', 2);
            context.Out.WriteLine(parts.Length == 2 ? $"{ProgramName} {parts[0]} (commit {parts[1][..Math.Min(12, parts[1].Length)]})" : $"{ProgramName} {parts[0]}");
            return ExitCodes.Success;
        }
    }
}
