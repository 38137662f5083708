using System.Collections;

namespace Vgac.Copilot.Cli;

/// <summary>
/// What a command may touch of the outside world: its output streams and the environment variables.
/// Tests pass their own, so a command runs in-process exactly as it does from a shell.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Where interactive commands read lines from (the console, or a test's script).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>
    /// The raw output, for a Spectre console that adds its own styling (and is itself made inert, see
    /// <c>InertConsole</c>); everything else writes to <see cref="Out"/>, which drops control characters.
    /// </summary>
    public TextWriter? AnsiOut { get; init; }

    /// <summary>Every secret this run knows (environment first, configuration once read): masked in everything written.</summary>
    public Core.Text.SecretRedactor Secrets { get; init; } = new();

    /// <summary>True when a person is at a terminal (colours, Ctrl+C handling).</summary>
    public bool Interactive { get; init; }

    public static CliContext FromConsole()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return new CliContext(Console.Out, Console.Error, environment) { In = Console.In, Interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected };
    }
}
