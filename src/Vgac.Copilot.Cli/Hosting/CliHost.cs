using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// What a program carries beyond this shared command library, chosen by the program's own project: the one-shot
/// <c>vgac</c> (<see cref="OneShotHost"/>: the library alone) or <c>vgac-full</c>, which is also the JIT program and
/// the .NET tool (the planners, the MCP server, the simulator, the eval runner, the watch loop). Whether a command
/// runs in a program is then a matter of which host its project compiles, not a flag each body checks.
/// </summary>
internal abstract class CliHost
{
    /// <summary>
    /// One of the commands only the full program carries (<see cref="FullCommands"/>): the command itself, or, where
    /// this host does not carry it, a stand-in with its name and description that hands every run of it over.
    /// </summary>
    public abstract Command Command(CliContext context, FullCommandInfo command);

    /// <summary>Registrations of what this host carries, over the library's own (<see cref="Composition.CopilotServices"/>).</summary>
    public virtual void AddServices(IServiceCollection services)
    {
    }

    /// <summary>The embedded simulator for <c>--demo</c> runs; null where the program does not carry it (it hands such runs over first).</summary>
    public virtual IDemoSimulator? Demo => null;

    /// <summary>The simulator of a <c>--demo</c> run; a host without one hands such runs over before any command asks.</summary>
    public IDemoSimulator RequireDemo() => Demo ?? throw new InvalidOperationException("this program hands --demo runs over.");

    /// <summary>Exit code and one-line message for a failure of something this host carries; null for the library's own mapping.</summary>
    public virtual (int Code, string? Message)? Describe(Exception exception) => null;

    /// <summary>Whether this program carries the executor <paramref name="executor"/> (the one-shot vgac does not carry the Kubernetes one).</summary>
    public virtual bool Carries(Actions.ExecutorChoice executor) => true;

    /// <summary>Whether this parsed command line runs in another program (see <see cref="OneShotHost"/>).</summary>
    public virtual bool HandsOver(ParseResult parse) => false;

    /// <summary>Runs <paramref name="args"/> in the program that carries them; only asked when <see cref="HandsOver"/> said so.</summary>
    public virtual Task<int> HandOverAsync(string[] args, ParseResult parse, CliContext context) =>
        throw new InvalidOperationException("this program runs every command itself.");
}

/// <summary>The embedded VGAC simulator, as the commands that run with <c>--demo</c> use it.</summary>
internal interface IDemoSimulator
{
    /// <summary>When the simulated clock starts (its time zero), for a demo trail's time to be found again.</summary>
    DateTimeOffset Epoch { get; }

    /// <summary>Starts a simulator for one demo cluster with that cluster's configuration; <paramref name="useUrl"/> is told where it listens.</summary>
    Task<IAsyncDisposable> StartAsync(IConfiguration configuration, Action<Uri> useUrl, CancellationToken cancellationToken);

    /// <summary>Brings the day of trouble (the demo's scenario) on the simulator at <paramref name="simulator"/> to where it stood at <paramref name="moment"/>.</summary>
    Task CatchUpAsync(Uri simulator, DateTimeOffset moment);
}
