using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Vgac.Copilot.Testing;

/// <summary>
/// A real, throw-away single-node Slurm for the scheduler tests: Debian's <c>slurmctld</c>, <c>slurmd</c> and
/// <c>munge</c> (<c>.ci/run</c> installs them), started as root with everything of their own in one folder of this run
/// (a munge key and socket, <c>slurm.conf</c> on free ports, state, spool, logs, four GPUs as GRES on placeholder
/// files) and the repository's <c>integrations/slurm/cli_filter.lua</c> installed beside <c>slurm.conf</c>. Clients
/// reach it through <c>SLURM_CONF</c> (<see cref="Environment"/>). One cluster per test process, started by the first
/// test that asks; at the end every job is cancelled and every daemon stopped.
/// </summary>
public sealed class SlurmCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SlurmCluster? _shared;
    private static string? _unavailable;

    private readonly List<(string Name, int Pid)> _daemons = [];

    private SlurmCluster(string folder, string node) => (Folder, Node) = (folder, node);

    public string Folder { get; }

    /// <summary>The one node's name (the short host name, as slurmd finds it).</summary>
    public string Node { get; }

    public string Conf => Path.Combine(Folder, "slurm.conf");

    private string MungeSocket => Path.Combine(Folder, "munge", "socket");

    /// <summary>What a Slurm client needs to reach this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal) { ["SLURM_CONF"] = Conf };

    /// <summary>The shared cluster, started on first use; null with the reason when Slurm cannot run here.</summary>
    public static async Task<(SlurmCluster? Cluster, string? Unavailable)> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null && _unavailable is null)
            {
                _unavailable = Missing();
                if (_unavailable is null && OperatingSystem.IsLinux())
                {
                    // Outside the run's own folder, which is removed at exit before this cluster could read its slurm.conf to stop it.
                    var folder = Directory.CreateDirectory(Path.Combine("/var/tmp", $"vgac-slurm-{System.Environment.ProcessId}-{Guid.NewGuid():N}"[..32])).FullName;
                    var cluster = new SlurmCluster(folder, System.Net.Dns.GetHostName().Split('.')[0]);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
                    _unavailable = await cluster.StartAsync();
                    _shared = _unavailable is null ? cluster : null;
                }
            }

            return (_shared, _unavailable);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs a Slurm client (<c>sbatch</c>, <c>scontrol</c>, …) against this cluster, with <paramref name="environment"/> over its own.</summary>
    public Task<CliResult> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var all = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return ProgramRun.RunAsync(Which(program) ?? program, args, Folder, timeout ?? TimeSpan.FromSeconds(60), CancellationToken.None, all);
    }

    private static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "a real Slurm runs on Linux only";
        }

        var missing = new[] { "slurmctld", "slurmd", "munged", "sbatch", "scontrol", "timeout" }.Where(p => Which(p) is null).ToList();
        if (missing.Count > 0)
        {
            return $"Slurm is not installed here (no {string.Join(", ", missing)}): install Debian's slurmctld, slurmd, slurm-client, munge and slurm-wlm-basic-plugins, as .ci/run does";
        }

        return IsRoot() ? null : "the single-node Slurm runs its daemons as root (SlurmUser=root); these tests run as another user";
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<string?> StartAsync()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "munge"));
        foreach (var sub in new[] { "state", "spool", "log", "gpu" })
        {
            Directory.CreateDirectory(Path.Combine(Folder, sub));
        }

        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(Folder, "gpu", $"nvidia{i}"), []);
        }

        var key = Path.Combine(Folder, "munge", "munge.key");
        await File.WriteAllBytesAsync(key, RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var munge = await ProgramRun.RunAsync(Which("munged")!, ["--force", "-S", MungeSocket, $"--key-file={key}", $"--pid-file={Pid("munged")}",
            $"--log-file={Path.Combine(Folder, "log", "munged.log")}", $"--seed-file={Path.Combine(Folder, "munge", "seed")}"], Folder, TimeSpan.FromSeconds(30), CancellationToken.None);
        if (munge.ExitCode != 0)
        {
            return $"munged did not start: {munge}";
        }

        Started("munged");

        await File.WriteAllTextAsync(Conf, SlurmConf(LocalPorts.Free(), LocalPorts.Free()));
        await File.WriteAllTextAsync(Path.Combine(Folder, "gres.conf"), $"NodeName={Node} Name=gpu File={Path.Combine(Folder, "gpu")}/nvidia[0-3]\n");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "integrations", "slurm", "cli_filter.lua"), Path.Combine(Folder, "cli_filter.lua"));
        foreach (var daemon in new[] { "slurmctld", "slurmd" })
        {
            var run = await RunAsync(daemon, ["-f", Conf]);
            if (run.ExitCode != 0)
            {
                return $"{daemon} did not start: {run} {Log(daemon)}";
            }

            Started(daemon);
        }

        // Waits on the node itself: idle once slurmd has registered its GPUs with the controller.
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var state = await RunAsync("sinfo", ["-h", "-n", Node, "-o", "%t"]);
            if (state.Out.Trim() == "idle")
            {
                return null;
            }

            await Task.Delay(500);
        }

        return $"the Slurm node never became idle: {Log("slurmctld")} {Log("slurmd")}";
    }

    private string SlurmConf(int controllerPort, int nodePort) => string.Create(CultureInfo.InvariantCulture, $"""
        ClusterName=vgactest
        SlurmctldHost={Node}
        SlurmUser=root
        SlurmdUser=root
        SlurmctldPort={controllerPort}
        SlurmdPort={nodePort}
        AuthType=auth/munge
        CredType=cred/munge
        AuthInfo=socket={MungeSocket}
        StateSaveLocation={Path.Combine(Folder, "state")}
        SlurmdSpoolDir={Path.Combine(Folder, "spool")}
        SlurmctldPidFile={Pid("slurmctld")}
        SlurmdPidFile={Pid("slurmd")}
        SlurmctldLogFile={Path.Combine(Folder, "log", "slurmctld.log")}
        SlurmdLogFile={Path.Combine(Folder, "log", "slurmd.log")}
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_Core
        SchedulerType=sched/backfill
        ReturnToService=2
        MpiDefault=none
        GresTypes=gpu
        CliFilterPlugins=cli_filter/lua
        NodeName={Node} CPUs=2 RealMemory=2000 Gres=gpu:4 State=UNKNOWN
        PartitionName=gpu Nodes={Node} Default=YES MaxTime=INFINITE State=UP

        """);

    private string Pid(string daemon) => Path.Combine(Folder, $"{daemon}.pid");

    private string Log(string daemon)
    {
        var path = Path.Combine(Folder, "log", $"{daemon}.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(15)) : "";
    }

    /// <summary>Remembers a daemon's process id as soon as it has started, so it is stopped whatever happens to the folder.</summary>
    private void Started(string daemon)
    {
        if (File.Exists(Pid(daemon)) && int.TryParse(File.ReadAllText(Pid(daemon)).Trim(), out var pid))
        {
            _daemons.Add((daemon, pid));
        }
    }

    /// <summary>Cancels every job, asks both daemons to shut down, stops whatever is left (munge last), removes the folder.</summary>
    private void Stop()
    {
        if (File.Exists(Conf))
        {
            Run("scancel", ["--full", "--quiet", "-u", "root"]);
            Run("scontrol", ["shutdown"]);
        }

        foreach (var (name, pid) in Enumerable.Reverse(_daemons))
        {
            try
            {
                // The Slurm daemons were asked to shut down; munge never is, so it is stopped at once.
                using var process = Process.GetProcessById(pid);
                if (name == "munged" || !process.WaitForExit(10_000))
                {
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort at process exit.
        }
    }

    private void Run(string program, string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(Which(program) ?? program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["SLURM_CONF"] = Conf;
            using var process = Process.Start(info)!;
            process.WaitForExit(20_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed: nothing was started.
        }
    }

    private static string? Which(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") + ":/usr/sbin:/sbin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static bool IsRoot() => geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
#pragma warning disable SYSLIB1054, CA5392 // a one-off libc call in a test helper
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054, CA5392
}
