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

    /// <summary>The command line this run was started with (what a hand-over passes on).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>What the program carries beyond this library (its project's host); the library alone by default.</summary>
    internal Hosting.CliHost Host { get; init; } = Hosting.OneShotHost.Instance;

    /// <summary>True when a person is at a terminal (colours, Ctrl+C handling).</summary>
    public bool Interactive { get; init; }

    public static CliContext FromConsole()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return new CliContext(Console.Out, Console.Error, environment) { In = new ConsoleInput(), Interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected };
    }
}

/// <summary>
/// Standard input, opened on first read: most runs never read it, and opening the console's reader sets up the
/// terminal (about 1 ms of a native start).
/// </summary>
internal sealed class ConsoleInput : TextReader
{
    private TextReader In => Console.In;

    public override int Peek() => In.Peek();

    public override int Read() => In.Read();

    public override int Read(char[] buffer, int index, int count) => In.Read(buffer, index, count);

    public override int Read(Span<char> buffer) => In.Read(buffer);

    public override int ReadBlock(char[] buffer, int index, int count) => In.ReadBlock(buffer, index, count);

    public override string? ReadLine() => In.ReadLine();

    public override string ReadToEnd() => In.ReadToEnd();

    public override Task<string?> ReadLineAsync() => In.ReadLineAsync();

    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => In.ReadLineAsync(cancellationToken);

    public override Task<string> ReadToEndAsync() => In.ReadToEndAsync();

    public override Task<string> ReadToEndAsync(CancellationToken cancellationToken) => In.ReadToEndAsync(cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => In.ReadAsync(buffer, cancellationToken);

    public override ValueTask<int> ReadBlockAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => In.ReadBlockAsync(buffer, cancellationToken);
}
