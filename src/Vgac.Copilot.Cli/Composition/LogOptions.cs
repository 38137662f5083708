using Serilog.Events;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>Where logs go. Bound from the <c>Log</c> section. Logs never go to stdout.</summary>
internal sealed class LogOptions
{
    public const string SectionName = "Log";

    /// <summary>Level from which log events are written to stderr (<c>--log-level</c>, <c>VGAC_LOG_LEVEL</c>).</summary>
    public string ConsoleLevel { get; set; } = "Error";

    public string FileLevel { get; set; } = "Information";

    public bool FileEnabled { get; set; } = true;

    /// <summary>A log file rolls to the next one at this size; 14 files are kept.</summary>
    public double MaxFileMegabytes { get; set; } = 10;

    /// <summary>Folder of the rolling log files (<c>VGAC_LOG_DIR</c>); default: the user's data folder.</summary>
    public string? Directory { get; set; }

    public string ResolveDirectory() => string.IsNullOrWhiteSpace(Directory)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "vgac", "logs")
        : Directory;

    internal static readonly IReadOnlyDictionary<string, LogEventLevel?> Levels = new Dictionary<string, LogEventLevel?>(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogEventLevel.Verbose,
        ["verbose"] = LogEventLevel.Verbose,
        ["debug"] = LogEventLevel.Debug,
        ["information"] = LogEventLevel.Information,
        ["info"] = LogEventLevel.Information,
        ["warning"] = LogEventLevel.Warning,
        ["warn"] = LogEventLevel.Warning,
        ["error"] = LogEventLevel.Error,
        ["fatal"] = LogEventLevel.Fatal,
        ["none"] = null,
    };

    /// <summary>Parses a level name; null means "off".</summary>
    public static LogEventLevel? ParseLevel(string value, string setting) =>
        Levels.TryGetValue(value.Trim(), out var level)
            ? level
            : throw new ConfigurationException($"{setting} must be one of trace, debug, information, warning, error, none; got '{value}'.");
}
