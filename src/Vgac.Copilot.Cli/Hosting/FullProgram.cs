using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Vgac.Copilot.Cli.Commands;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// The native install is two programs built from this one project. <c>vgac</c> is the one-shot build: every command's
/// definition (so its help, completions and usage errors), and the bodies of the commands a script or an IDE starts
/// often (predict, doctor, config, calibration, audit, actions, storage, completion). It carries no model connector,
/// MCP server, web server, simulator or eval runner, and so starts several milliseconds sooner: the runtime sets up
/// every type with static fields before <c>Main</c>, and those libraries bring thousands. <c>vgac-full</c>, beside it,
/// is everything; the one-shot build hands it the commands it does not carry (<see cref="CommandNeeds.FullProgram"/>)
/// and any run with <c>--demo</c>, replacing itself with it (the same process, arguments, streams and exit code).
/// The JIT build (the .NET tool, the tests) is one program that runs everything.
/// </summary>
internal static partial class FullProgram
{
    /// <summary>The feature switch the native publish sets for <c>vgac</c> (eng/NativeSplit.targets); the compiler then drops every branch it rules out.</summary>
    public const string OneShotSwitch = "Vgac.Copilot.Cli.OneShotBuild";

    /// <summary>The full program's name, beside the one-shot one.</summary>
    public static string FileName => OperatingSystem.IsWindows() ? "vgac-full.exe" : "vgac-full";

    /// <summary>True in the native <c>vgac</c>, a constant there: code behind <c>if (!IsOneShotBuild)</c> is not compiled into it.</summary>
    [FeatureSwitchDefinition(OneShotSwitch)]
    public static bool IsOneShotBuild => AppContext.TryGetSwitch(OneShotSwitch, out var on) && on;

    /// <summary>
    /// Whether this parsed command line runs what only the full program carries: a command marked
    /// <see cref="CommandNeeds.FullProgram"/>, or any command started with <c>--demo</c> (the embedded simulator).
    /// Help, version and usage errors never need it: the one-shot build has every command's definition.
    /// </summary>
    public static bool IsNeededFor(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.Errors.Count > 0 || parse.Action is null || !ReferenceEquals(parse.Action, command.Action))
        {
            return false;
        }

        return command is VgacCommand { Needs: var needs } && needs.HasFlag(CommandNeeds.FullProgram) || WithDemo(parse);
    }

    /// <summary>A run with the simulator: <c>--demo</c>, or a command that acts on a demo trail's cluster (<c>actions approve ID --demo</c>).</summary>
    private static bool WithDemo(ParseResult parse) => parse.GetResult(GlobalOptions.Demo) is not null && parse.GetValue(GlobalOptions.Demo)
        || parse.CommandResult.Command is VgacCommand { Needs: var needs } && needs.HasFlag(CommandNeeds.Vgac)
           && parse.GetResult(Commands.AuditTrail.LatestDemo) is not null && parse.GetValue(Commands.AuditTrail.LatestDemo);

    /// <summary>
    /// What a body of the full program throws in the one-shot build, where it is never reached
    /// (<see cref="CliApp"/> hands such runs over first); its <c>throw</c> is what lets the compiler drop the rest.
    /// </summary>
    public static UnreachableException NotCarried(string command) =>
        new($"'{command}' runs in {FileName}, not in the one-shot vgac.");

    /// <summary>Where the full program is: beside this one.</summary>
    public static string PathBeside(string directory) => Path.Combine(directory, FileName);

    /// <summary>
    /// Runs <paramref name="args"/> in the full program. On Linux and macOS this process becomes it (nothing is
    /// written before, so its output is the run's whole output); elsewhere it starts it on the same console and
    /// returns its exit code. Returns <see cref="ExitCodes.ProgramMissing"/>, having said why, when it cannot.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, ParseResult parse, CliContext context)
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
