using System.CommandLine;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Output;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>What a command reaches beyond its own options, and so which shared flags it takes.</summary>
[Flags]
internal enum CommandNeeds
{
    None = 0,

    /// <summary>Talks to VGAC: <c>--vgac-url</c>, <c>--timeout</c>.</summary>
    Vgac = 1,

    /// <summary>Can talk to the embedded simulator instead: <c>--demo</c>.</summary>
    Demo = 2,

    /// <summary>Asks a model: <c>--llm-provider</c>, <c>--llm-endpoint</c>, <c>--llm-model</c>.</summary>
    Model = 4,

    /// <summary>Runs or checks the executor chosen for actions (<c>Watch:Executor</c>): a program that does not carry it hands the run over.</summary>
    Executor = 8,
}

/// <summary>
/// The base of every <c>vgac</c> command. It takes the shared flags the command needs (and no others), owns the
/// <c>--format</c> option, and runs the body through <see cref="CommandHost"/>: configuration, services, stdout for
/// results, stderr for messages, and one mapping from failures to documented exit codes. A command writes only its
/// body, <see cref="ExecuteAsync"/>.
/// </summary>
internal abstract class VgacCommand : Command
{
    protected VgacCommand(CliContext context, string name, string description, CommandNeeds needs = CommandNeeds.None)
        : base(name, description)
    {
        Context = context;
        Needs = needs;
        foreach (var option in GlobalOptions.For(needs))
        {
            Options.Add(option);
        }

        SetAction((parse, cancellationToken) => InvokeAsync(parse, cancellationToken));
    }

    /// <summary>A command only the full program carries, named and described where both programs read it (<see cref="FullCommands"/>).</summary>
    protected VgacCommand(CliContext context, FullCommandInfo command, CommandNeeds needs = CommandNeeds.None)
        : this(context, command.Name, command.Description, needs)
    {
    }

    /// <summary>Lines shown under "Examples:" in <c>--help</c>: a command line and what it does.</summary>
    public IReadOnlyList<(string Line, string What)> Examples { get; init; } = [];

    public CommandNeeds Needs { get; }

    protected CliContext Context { get; }

    /// <summary>The command's <c>--format text|json</c>, when it has one.</summary>
    protected Option<string>? Format { get; private set; }

    /// <summary>Adds <c>--format text|json</c> (<c>-o</c>), the one output vocabulary.</summary>
    protected Option<string> AddFormat(string? description = null, bool line = false)
    {
        Format = OutputFormat.Create(description, line);
        Options.Add(Format);
        return Format;
    }

    /// <summary>Adds an option (or argument) and returns it, so a command declares and keeps it in one line.</summary>
    protected T Add<T>(T symbol) where T : Symbol
    {
        switch (symbol)
        {
            case Option option:
                Options.Add(option);
                break;
            case Argument argument:
                Arguments.Add(argument);
                break;
        }

        return symbol;
    }

    protected bool IsJson(ParseResult parse) => Format is not null && parse.GetValue(Format) == OutputFormat.Json;

    /// <summary>How the command runs: by default its body inside <see cref="CommandHost"/>.</summary>
    protected virtual Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken) =>
        CommandHost.RunAsync(parse, Context, (session, token) => ExecuteAsync(parse, session, token), cancellationToken,
            connectsToVgac: ConnectsToVgac(parse), settings: Settings(parse), services: services => ConfigureServices(parse, services),
            usesExecutor: Needs.HasFlag(CommandNeeds.Executor));

    /// <summary>
    /// Whether the command's process lives long (the watch loop, the MCP server, a chat): only then does the VGAC client
    /// carry a circuit breaker (<c>Vgac:CircuitBreaker</c>); a one-shot command reports each call's own failure.
    /// </summary>
    public virtual bool LivesLong => false;

    /// <summary>Whether the command handles Ctrl+C itself (the REPL: it cancels an answer, never the session).</summary>
    public virtual bool OwnsCtrlC => false;

    /// <summary>Registrations this command adds to every cluster's services (before the product's own).</summary>
    protected virtual void ConfigureServices(ParseResult parse, Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    /// <summary>Whether this run needs VGAC (and so may start the simulator for <c>--demo</c>).</summary>
    protected virtual bool ConnectsToVgac(ParseResult parse) => Needs.HasFlag(CommandNeeds.Vgac);

    /// <summary>Configuration keys this command's own flags set.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => null;

    /// <summary>The command's body, with configuration and services ready. A command that overrides <see cref="InvokeAsync"/> does not need one.</summary>
    protected virtual Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"'{Name}' runs through its own InvokeAsync.");
}

/// <summary>A command that only groups others (<c>vgac calibration</c>, <c>vgac actions</c>).</summary>
internal abstract class CommandGroup : Command
{
    protected CommandGroup(string name, string description, params Command[] children) : base(name, description)
    {
        foreach (var child in children)
        {
            Subcommands.Add(child);
        }
    }
}
