using System.Diagnostics;
using System.Globalization;

namespace Vgac.Copilot.Testing;

/// <summary>
/// A real, throw-away PostgreSQL server for the store tests: <c>initdb</c> into a temporary folder, <c>pg_ctl</c>
/// start on a free loopback port (its socket in that folder too), one database per test, everything removed at
/// the end. Debian's <c>postgresql</c> package provides the binaries (<c>.ci/run</c> installs it). PostgreSQL refuses
/// to run as root, so under root the server runs as the package's <c>postgres</c> user. One server per test process,
/// started by the first test that asks.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The role initdb makes the superuser, and that owns every test database.</summary>
    public const string Owner = "vgac_owner";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _shared;
    private static string? _unavailable;
    private int _databases;

    private PostgresServer(string folder, string bin, int port, string? runAs) => (Folder, Bin, Port, RunAs) = (folder, bin, port, runAs);

    public string Folder { get; }

    public string Bin { get; }

    public int Port { get; }

    private string? RunAs { get; }

    /// <summary>The shared server, started on first use; null with the reason when PostgreSQL is not installed here.</summary>
    public static async Task<(PostgresServer? Server, string? Unavailable)> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null && _unavailable is null)
            {
                try
                {
                    _shared = await StartAsync();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared?.Stop();
                }
                catch (PostgresUnavailableException ex)
                {
                    _unavailable = ex.Message;
                }
            }

            return (_shared, _unavailable);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The connection string of a new, empty database owned by <see cref="Owner"/>.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await PsqlAsync("postgres", $"CREATE DATABASE {name} OWNER {Owner}");
        return ConnectionString(name, Owner);
    }

    public string ConnectionString(string database, string user) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={user};Pooling=true;Timeout=10;Command Timeout=30";

    /// <summary>Runs SQL through psql as the owner (setting up roles, or editing behind the application's back).</summary>
    public async Task<string> PsqlAsync(string database, string sql)
    {
        var (code, output) = await RunAsync(Path.Combine(Bin, "psql"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Owner,
            "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql]);
        return code == 0 ? output.Trim() : throw new InvalidOperationException($"psql failed ({code}): {output}");
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin() ?? throw new PostgresUnavailableException(
            "PostgreSQL is not installed here (no initdb under /usr/lib/postgresql/*/bin or on PATH): install Debian's 'postgresql' package, as .ci/run does.");
        var runAs = Environment.UserName == "root" || geteuid() == 0 ? "postgres" : null;
        // The server's user must reach its folder; root's temporary folder may be closed to others, /var/tmp never is.
        var folder = runAs is not null && Directory.Exists("/var/tmp")
            ? Directory.CreateDirectory(Path.Combine("/var/tmp", $"vgac-pg-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName
            : Directory.CreateTempSubdirectory("vgac-pg-").FullName;
        if (runAs is not null)
        {
            var (chown, why) = await RunAsync("chown", [runAs, folder]);
            if (chown != 0)
            {
                throw new PostgresUnavailableException($"PostgreSQL refuses to run as root and the '{runAs}' user could not own {folder}: {why}");
            }
        }

        var server = new PostgresServer(folder, bin, LocalPorts.Free(), runAs);
        var data = Path.Combine(folder, "data");
        var (code, output) = await server.RunAsOwnerAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", Owner, "-A", "trust", "-E", "UTF8", "--no-sync"]);
        if (code != 0)
        {
            throw new PostgresUnavailableException($"initdb failed ({code}): {output}");
        }

        var options = $"-p {server.Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        (code, output) = await server.RunAsOwnerAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        if (code != 0)
        {
            var log = File.Exists(Path.Combine(folder, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "server.log")) : "";
            throw new PostgresUnavailableException($"pg_ctl start failed ({code}): {output} {log}");
        }

        return server;
    }

    private static string? FindBin()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).ToList()
            : [];
        return versions.FirstOrDefault()
            ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').FirstOrDefault(p => p.Length > 0 && File.Exists(Path.Combine(p, "initdb")) && File.Exists(Path.Combine(p, "pg_ctl")));
    }

    /// <summary>Runs a server program as the user that owns the data folder.</summary>
    private Task<(int Code, string Output)> RunAsOwnerAsync(string program, IReadOnlyList<string> args) =>
        RunAsync(RunAs is not null ? "runuser" : program, RunAs is not null ? ["-u", RunAs, "--", program, .. args] : args);

    private static async Task<(int Code, string Output)> RunAsync(string program, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private void Stop()
    {
        try
        {
            var info = new ProcessStartInfo(RunAs is null ? Path.Combine(Bin, "pg_ctl") : "runuser") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (RunAs is null ? [] : new[] { "-u", RunAs, "--", Path.Combine(Bin, "pg_ctl") }).Concat(["-D", Path.Combine(Folder, "data"), "-m", "immediate", "-w", "stop"]))
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            process.WaitForExit(30_000);
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Best effort at process exit: the folder is in the temporary directory.
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
#pragma warning disable SYSLIB1054, CA5392 // a one-off libc call in a test helper
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054, CA5392
}

/// <summary>PostgreSQL cannot be run here; the message says why (tests skip with it, never pass silently).</summary>
public sealed class PostgresUnavailableException(string message) : Exception(message);
