using System.Collections;

namespace Vgac.Copilot.Cli;

/// <summary>
/// What a command may touch of the outside world: its output streams and the environment variables.
/// Tests pass their own, so a command runs in-process exactly as it does from a shell.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, IReadOnlyDictionary<string, string> Environment)
{
    public static CliContext FromConsole()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return new CliContext(Console.Out, Console.Error, environment);
    }
}
