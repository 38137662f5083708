using System.CommandLine;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Actions.Kubernetes;
using Vgac.Copilot.Agent;
using Vgac.Copilot.Cli.Commands;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Watch;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// The host of <c>vgac-full</c>, the JIT program and the .NET tool: the library's commands and the ones only this
/// program carries (chat, ask, mcp, eval, record, watch, sim), the tool catalogue, the planners, the watch loop and
/// the embedded simulator for <c>--demo</c>.
/// </summary>
internal sealed class FullHost : CliHost
{
    public static FullHost Instance { get; } = new();

    /// <summary>The commands this host carries, by their entry in <see cref="FullCommands"/>.</summary>
    private static readonly Dictionary<FullCommandInfo, Func<CliContext, Command>> Commands = new()
    {
        [FullCommands.Chat] = context => new ChatCommand(context),
        [FullCommands.Ask] = context => new AskCommand(context),
        [FullCommands.Mcp] = context => new McpCommand(context),
        [FullCommands.Eval] = context => new EvalCommand(context),
        [FullCommands.Record] = context => new RecordCommand(context),
        [FullCommands.Watch] = context => new WatchCommand(context),
        [FullCommands.Sim] = context => new SimCommand(context),
        [FullCommands.Admission] = context => new AdmissionCommand(context),
    };

    public override Command Command(CliContext context, FullCommandInfo command) => Commands.TryGetValue(command, out var make)
        ? make(context)
        : throw new ArgumentOutOfRangeException(nameof(command), command.Name, "not a command of the full program");

    public override void AddServices(IServiceCollection services)
    {
        services.AddVgacTools();
        services.AddCopilotAgent();
        services.AddVgacWatch();
        services.AddKubernetesExecutor();
    }

    public override IDemoSimulator Demo { get; } = new EmbeddedSimulator();

    public override (int Code, string? Message)? Describe(Exception exception) => exception switch
    {
        Agent.Planning.PlannerDeadlineException deadline => (ExitCodes.PlannerLimit, deadline.Message),
        Watch.Loop.WatchAlreadyRunningException running => (ExitCodes.UsageError, running.Message),
        Simulator.Workload.TraceFormatException trace => (ExitCodes.UsageError, $"bad trace: {trace.Message}"),
        _ => null,
    };

    /// <summary>
    /// <c>--demo</c>: the embedded simulator, started in-process on a free loopback port, reached over HTTP like any
    /// VGAC. Kept out of line so commands without <c>--demo</c> never load ASP.NET Core.
    /// </summary>
    private sealed class EmbeddedSimulator : IDemoSimulator
    {
        public DateTimeOffset Epoch => new SimulatorOptions().StartTime;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public async Task<IAsyncDisposable> StartAsync(IConfiguration configuration, Action<Uri> useUrl, CancellationToken cancellationToken)
        {
            var options = SimulatorSettings.Bind(configuration);
            var host = await SimulatorHost.StartAsync(options, port: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
            useUrl(host.Url);
            return host;
        }

        public async Task CatchUpAsync(Uri simulator, DateTimeOffset moment)
        {
            using var day = WatchDemoScenario.Day(simulator, TimeSpan.FromMinutes(10), new SettableWatchClock(moment), _ => Task.CompletedTask);
            await day.CatchUpAsync(moment).ConfigureAwait(false);
        }
    }
}
