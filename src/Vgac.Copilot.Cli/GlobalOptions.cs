using System.CommandLine;
using System.Globalization;

namespace Vgac.Copilot.Cli;

/// <summary>
/// The shared flags. <see cref="Common"/> apply to every command; the others only to commands that need them
/// (<see cref="For"/>): <c>--demo</c> and <c>--vgac-url</c> where VGAC is reached, <c>--llm-*</c> where a model is asked.
/// They override environment variables and configuration files.
/// </summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> VgacUrl = new("--vgac-url")
    {
        Description = "Base URL of the VGAC API (overrides VGAC_API_BASE_URL).",
        HelpName = "url",
        Recursive = true,
    };

    public static readonly Option<double?> Timeout = new("--timeout")
    {
        Description = "Seconds to wait for VGAC, retries included (overrides VGAC_TIMEOUT_SECONDS).",
        HelpName = "seconds",
        Recursive = true,
    };

    public static readonly Option<string?> ConfigFile = new("--config")
    {
        Description = "Extra JSON configuration file, read after your own (~/.config/vgac/config.json).",
        HelpName = "file",
        Recursive = true,
    };

    public static readonly Option<string?> LogLevel = new("--log-level")
    {
        Description = "Log level on stderr: trace, debug, information, warning, error (default), none.",
        HelpName = "level",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Same as --log-level debug.",
        Recursive = true,
    };

    public static readonly Option<string?> Cluster = new("--cluster")
    {
        Description = "Which configured cluster to talk to (overrides DefaultCluster and VGAC_CLUSTER).",
        HelpName = "name",
        Recursive = true,
    };

    public static readonly Option<bool> Demo = new("--demo")
    {
        Description = "Start the embedded VGAC simulator in-process and talk to it instead of a real VGAC.",
        Recursive = true,
    };

    public static readonly Option<string?> LlmProvider = new("--llm-provider") { Description = "none (offline planner), openai, azure-openai or openai-compatible.", HelpName = "provider", Recursive = true };

    public static readonly Option<string?> LlmEndpoint = new("--llm-endpoint") { Description = "Chat-completions base URL, e.g. http://localhost:11434/v1.", HelpName = "url", Recursive = true };

    public static readonly Option<string?> LlmModel = new("--llm-model") { Description = "Model or deployment name.", HelpName = "name", Recursive = true };

    /// <summary>On the root, for every command.</summary>
    public static IEnumerable<Option> Common => [ConfigFile, LogLevel, Verbose, Cluster];

    /// <summary>The shared flags a command with these needs takes.</summary>
    public static IEnumerable<Option> For(Commands.CommandNeeds needs)
    {
        if (needs.HasFlag(Commands.CommandNeeds.Demo))
        {
            yield return Demo;
        }

        if (needs.HasFlag(Commands.CommandNeeds.Vgac))
        {
            yield return VgacUrl;
            yield return Timeout;
        }

        if (needs.HasFlag(Commands.CommandNeeds.Model))
        {
            yield return LlmProvider;
            yield return LlmEndpoint;
            yield return LlmModel;
        }
    }

    /// <summary>The configuration key each value-taking flag sets, as the settings catalogue describes it.</summary>
    private static readonly (Option Option, string Key)[] Keys =
        [.. new Option[] { VgacUrl, Timeout, LlmProvider, LlmEndpoint, LlmModel, LogLevel, Cluster }.Select(o => (o, Composition.SettingsCatalog.ForFlag(o.Name).Key))];

    /// <summary>The flag that sets a configuration key, for telling where a value came from.</summary>
    public static string? FlagFor(string key) =>
        Keys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase)).Option?.Name;

    /// <summary>The configuration keys the flags given on this command line set.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ToConfiguration(ParseResult parse)
    {
        foreach (var (option, key) in Keys)
        {
            var value = parse.GetResult(option) is null ? null : option switch
            {
                Option<double?> number => parse.GetValue(number)?.ToString(CultureInfo.InvariantCulture),
                Option<string?> text => parse.GetValue(text),
                _ => null,
            };
            if (value is not null)
            {
                yield return new(key, value);
            }
        }

        if (parse.GetValue(LogLevel) is null && parse.GetValue(Verbose))
        {
            yield return new("Log:ConsoleLevel", "debug");
        }
    }
}
