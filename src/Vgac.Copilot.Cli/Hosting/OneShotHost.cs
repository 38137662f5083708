using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// The host of the native one-shot <c>vgac</c> (project Vgac.Copilot.Cli.OneShot): this library and nothing else, so
/// the commands a script or an IDE starts often (predict, doctor, config, calibration, audit, actions, storage,
/// completion). It carries no model connector, MCP server, web server, simulator or eval runner, and so starts
/// several milliseconds sooner: the runtime sets up every type with static fields before <c>Main</c>, and those
/// libraries bring thousands. <c>vgac-full</c>, beside it, is everything; this host hands it every run of a command
/// it does not carry (<see cref="FullCommands"/>: their runs, help, completions and usage errors) and any run with
/// <c>--demo</c>, replacing itself with it (the same process, arguments, streams and exit code).
/// </summary>
internal sealed partial class OneShotHost : CliHost
{
    public static OneShotHost Instance { get; } = new();

    public override System.CommandLine.Command Command(CliContext context, FullCommandInfo command) => new HandedOverCommand(command);

    /// <summary>
    /// The Kubernetes executor's client brings about 27 MB of models, which every predict would load: runs that use it
    /// (doctor, actions apply, approve and release with <c>Watch:Executor=kubernetes</c>) are handed to vgac-full.
    /// </summary>
    public override bool Carries(Actions.ExecutorChoice executor) => executor != Actions.ExecutorChoice.Kubernetes;

    /// <summary>
    /// The Kubernetes executor is carried by handing over: every run that uses it goes to vgac-full before its services
    /// are built (<see cref="Carries"/>), so the choice is valid here for the runs that stay (a predict, an audit).
    /// </summary>
    public override void AddServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, new Actions.CarriedExecutor(Actions.ExecutorChoice.Kubernetes));

    /// <summary>The full program's name, beside the one-shot one.</summary>
    public static string FileName => OperatingSystem.IsWindows() ? "vgac-full.exe" : "vgac-full";

    /// <summary>
    /// Whether this parsed command line runs in the full program: any use of a command this host does not carry (its
    /// run, help and usage errors alike), or a command of its own started with <c>--demo</c> (the embedded simulator).
    /// Help, version and usage errors of its own commands never do.
    /// </summary>
    public override bool HandsOver(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command is HandedOverCommand)
        {
            return true;
        }

        return parse.Errors.Count == 0 && parse.Action is not null && ReferenceEquals(parse.Action, command.Action) && WithDemo(parse);
    }

    /// <summary>A run with the simulator: <c>--demo</c>, or a command that acts on a demo trail's cluster (<c>actions approve ID --demo</c>).</summary>
    private static bool WithDemo(ParseResult parse) => parse.GetResult(GlobalOptions.Demo) is not null && parse.GetValue(GlobalOptions.Demo)
        || parse.CommandResult.Command is VgacCommand { Needs: var needs } && needs.HasFlag(CommandNeeds.Vgac)
           && parse.GetResult(Commands.AuditTrail.LatestDemo) is not null && parse.GetValue(Commands.AuditTrail.LatestDemo);

    /// <summary>Where the full program is: beside this one.</summary>
    public static string PathBeside(string directory) => Path.Combine(directory, FileName);

    /// <summary>
    /// Runs <paramref name="args"/> in the full program. On Linux and macOS this process becomes it (nothing is
    /// written before, so its output is the run's whole output); elsewhere it starts it on the same console and
    /// returns its exit code. Returns <see cref="ExitCodes.ProgramMissing"/>, having said why, when it cannot.
    /// </summary>
    public override async Task<int> HandOverAsync(string[] args, ParseResult parse, CliContext context)
    {
        var path = PathBeside(AppContext.BaseDirectory);
        if (!File.Exists(path))
        {
            var what = parse.CommandResult.Command.Name + (WithDemo(parse) ? " --demo" : "");
            await context.Error.WriteLineAsync(
                $"vgac: '{what}' runs in the full program, which this install should have beside vgac: {path} is missing. " +
                "Publish both again (README, 'Installing vgac').").ConfigureAwait(false);
            return ExitCodes.ProgramMissing;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var error = Exec(path, args);
            await context.Error.WriteLineAsync($"vgac: could not start the full program {path}: {error}").ConfigureAwait(false);
            return ExitCodes.ProgramMissing;
        }

        return await StartAndWaitAsync(path, args, context).ConfigureAwait(false);
    }

    /// <summary>Replaces this process with <paramref name="path"/>; returns only when that fails, with the reason.</summary>
    private static string Exec(string path, string[] args)
    {
        // execv takes a NULL-terminated array of NUL-terminated strings; argv[0] is the program's own path.
        var strings = new nint[args.Length + 1];
        var argv = Marshal.AllocHGlobal((strings.Length + 1) * nint.Size);
        try
        {
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = Marshal.StringToCoTaskMemUTF8(i == 0 ? path : args[i - 1]);
                Marshal.WriteIntPtr(argv, i * nint.Size, strings[i]);
            }

            Marshal.WriteIntPtr(argv, strings.Length * nint.Size, 0);
            Execv(strings[0], argv);
            return Marshal.GetLastPInvokeErrorMessage();
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            Marshal.FreeHGlobal(argv);
        }
    }

    [DllImport("libc", EntryPoint = "execv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Execv(nint path, nint argv);

    /// <summary>Where a process cannot replace itself (Windows): the full program as a child on this console; Ctrl+C reaches it, not us.</summary>
    private static async Task<int> StartAndWaitAsync(string path, string[] args, CliContext context)
    {
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        ConsoleCancelEventHandler stay = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += stay;
        try
        {
            using var child = Process.Start(start);
            if (child is null)
            {
                await context.Error.WriteLineAsync($"vgac: could not start the full program {path}.").ConfigureAwait(false);
                return ExitCodes.ProgramMissing;
            }

            await child.WaitForExitAsync().ConfigureAwait(false);
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            await context.Error.WriteLineAsync($"vgac: could not start the full program {path}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.ProgramMissing;
        }
        finally
        {
            Console.CancelKeyPress -= stay;
        }
    }
}
