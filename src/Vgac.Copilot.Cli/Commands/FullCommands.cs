using System.CommandLine;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>A command only the full program carries: its name and the line <c>vgac --help</c> shows for it, in either program.</summary>
internal sealed record FullCommandInfo(string Name, string Description);

/// <summary>
/// The commands the full program carries beyond this library (the planners, the MCP server, the eval runner, the
/// watch loop, the simulator), named once: the full program's commands take their name and description from here,
/// and the one-shot program lists them in its help and hands them over (<see cref="HandedOverCommand"/>).
/// </summary>
internal static class FullCommands
{
    public static readonly FullCommandInfo Chat = new("chat", "Chat with the copilot in the terminal: questions in plain language, answers grounded in VGAC's numbers.");

    public static readonly FullCommandInfo Ask = new("ask", "Ask one question about the cluster, queue, predictions or calibration; get a grounded answer.");

    public static readonly FullCommandInfo Mcp = new("mcp", "Serve the VGAC tools, resources and prompts to IDE assistants over MCP (stdio by default).");

    public static readonly FullCommandInfo Eval = new("eval", "Run eval suites against recorded cassettes (no network) and score them deterministically.");

    public static readonly FullCommandInfo Record = new("record", "Record a whole-API snapshot of a VGAC (or --demo) as a cassette for evals.");

    public static readonly FullCommandInfo Watch = new("watch", "Run the agents: observe, audit calibration, score pending jobs, propose actions, run what autonomy and the guards allow, verify; everything audited.");

    public static readonly FullCommandInfo Admission = new("admission", "Serve a Kubernetes validating admission webhook: the guarded wait estimate as a warning at submission, failing open.");

    public static readonly FullCommandInfo Sim = new("sim", "Run the embedded VGAC simulator (every endpoint of the API, over HTTP) until Ctrl+C.");
}

/// <summary>
/// A full-program command in a program that does not carry it: listed with its name and description; every use of it
/// (a run, its help, a usage error, a completion) is handed over to the program that does (<see cref="Hosting.OneShotHost"/>).
/// It takes any arguments, so nothing about them is judged here.
/// </summary>
internal sealed class HandedOverCommand : Command
{
    public HandedOverCommand(FullCommandInfo command)
        : base(command.Name, command.Description)
    {
        Arguments.Add(new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore, Hidden = true });
        TreatUnmatchedTokensAsErrors = false;
        SetAction(new Func<ParseResult, int>(_ => throw new InvalidOperationException($"'{command.Name}' is handed over before it runs.")));
    }
}
