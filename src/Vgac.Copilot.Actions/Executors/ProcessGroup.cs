using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// A program started in a process group of its own (through <c>setsid</c>, where there is one), so that everything it
/// leaves behind (a <c>sleep 20 &amp;</c> holding its output, a daemon it forked) can be ended with it; and its output
/// read with a bound. Where there is no <c>setsid</c> (Windows), the process tree the system can still see is ended.
/// </summary>
internal sealed class ProcessGroup : IDisposable
{
    /// <summary>Output kept from each stream; the rest is read and dropped, so the program never blocks on a full pipe.</summary>
    public const int MaxOutputChars = 64 * 1024;

    private const string Setsid = "/usr/bin/setsid";
    private readonly Process _process;
    private readonly bool _ownGroup;

    private ProcessGroup(Process process, bool ownGroup)
    {
        _process = process;
        _ownGroup = ownGroup;
        Output = ReadBoundedAsync(process.StandardOutput);
        Error = ReadBoundedAsync(process.StandardError);
    }

    public Process Process => _process;

    /// <summary>Standard output, at most <see cref="MaxOutputChars"/>, and whether more was cut; complete when every holder of the pipe has closed it.</summary>
    public Task<(string Text, bool Cut)> Output { get; }

    public Task<(string Text, bool Cut)> Error { get; }

    /// <summary>Starts <paramref name="path"/> with <paramref name="args"/> as an array (no shell) and its streams redirected, in a group of its own where the system allows.</summary>
    public static ProcessGroup Start(string path, IReadOnlyList<string>? args = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var ownGroup = !OperatingSystem.IsWindows() && File.Exists(Setsid);
        var info = new ProcessStartInfo(ownGroup ? Setsid : path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ownGroup)
        {
            // setsid makes the new session (and group) and replaces itself with the program: one process, its pid the group's id.
            info.ArgumentList.Add(path);
        }

        foreach (var arg in args ?? [])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new ProcessGroup(Process.Start(info) ?? throw new InvalidOperationException("no process"), ownGroup);
    }

    /// <summary>Ends the program and everything in its group (or its visible tree).</summary>
    public void Kill()
    {
        if (_ownGroup && _process.Id > 0)
        {
            _ = KillGroup(-_process.Id, 9); // SIGKILL to every process of the group; a group already gone is not an error worth raising
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
    }

    public void Dispose() => _process.Dispose();

    private static async Task<(string Text, bool Cut)> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        var cut = false;
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = MaxOutputChars - kept.Length;
            if (room > 0)
            {
                kept.Append(buffer, 0, Math.Min(room, read));
            }

            cut |= read > room;
        }

        return (kept.ToString(), cut);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int KillGroup(int pid, int signal);
}
