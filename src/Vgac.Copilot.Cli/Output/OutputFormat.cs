using System.CommandLine;
using Vgac.Copilot.Cli.Composition;

namespace Vgac.Copilot.Cli.Output;

/// <summary><c>--format table|json</c>: tables for people, JSON for scripts.</summary>
internal static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";

    public static Option<string> Create() => new("--format", "-o")
    {
        Description = "Output format: table (default) or json.",
        HelpName = "table|json",
        DefaultValueFactory = _ => Table,
    };

    public static string Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or Table => Table,
        Json => Json,
        _ => throw new ConfigurationException($"--format must be table or json, got '{value}'."),
    };
}
