using System.CommandLine;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// <c>--format text|json</c> (<c>-o</c>), the one output vocabulary of every command: text for people, JSON for
/// scripts; a command whose answer fits one line (<c>predict</c>, for a scheduler at submission) also offers
/// <c>line</c>. Any other value is a usage error (exit 2) naming the accepted ones.
/// </summary>
internal static class OutputFormat
{
    public const string Text = "text";
    public const string Json = "json";
    public const string Line = "line";

    public static Option<string> Create(string? description = null, bool line = false)
    {
        var option = new Option<string>("--format", "-o")
        {
            Description = description ?? "Output: text for people (default) or json for scripts.",
            HelpName = line ? "text|json|line" : "text|json",
            DefaultValueFactory = _ => Text,
        };
        option.AcceptOnlyFromAmong(line ? [Text, Json, Line] : [Text, Json]);
        return option;
    }

    public static bool IsJson(this ParseResult parse, Option<string> format) => parse.GetValue(format) == Json;
}
