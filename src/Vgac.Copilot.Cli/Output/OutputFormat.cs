using System.CommandLine;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// <c>--format text|json</c> (<c>-o</c>), the one output vocabulary of every command: text for people, JSON for
/// scripts. Any other value is a usage error (exit 2) naming the two.
/// </summary>
internal static class OutputFormat
{
    public const string Text = "text";
    public const string Json = "json";

    public static Option<string> Create(string? description = null)
    {
        var option = new Option<string>("--format", "-o")
        {
            Description = description ?? "Output: text for people (default) or json for scripts.",
            HelpName = "text|json",
            DefaultValueFactory = _ => Text,
        };
        option.AcceptOnlyFromAmong(Text, Json);
        return option;
    }

    public static bool IsJson(this ParseResult parse, Option<string> format) => parse.GetValue(format) == Json;
}
