using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Benchmarks;

/// <summary>Wall time of whole <c>vgac predict</c> processes against an already running simulator.</summary>
internal static class CliWallTime
{
    private const int Runs = 20;

    public static async Task RunAsync()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 });
        var dll = CliProcess.VgacDll;
        var apphost = Path.Combine(Path.GetDirectoryName(dll)!, "vgac");
        var env = new Dictionary<string, string> { ["VGAC_LOG_DIR"] = Path.GetTempPath() };
        string[] args = ["predict", "--vgac-url", host.Url.ToString(), "--gpus", "4", "-o", "json"];

        foreach (var (label, file, prefix) in new[] { ("dotnet vgac.dll", "dotnet", new[] { dll }), ("vgac (apphost)", apphost, Array.Empty<string>()) })
        {
            var times = new List<double>();
            for (var i = 0; i < Runs + 2; i++)
            {
                var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in prefix.Concat(args))
                {
                    info.ArgumentList.Add(a);
                }

                foreach (var (k, v) in env)
                {
                    info.Environment[k] = v;
                }

                var started = Stopwatch.GetTimestamp();
                using var process = Process.Start(info)!;
                await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{label} exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
                }

                if (i >= 2)
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            var sorted = times.Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {label,-18} `vgac predict` wall time over {Runs} runs: median {sorted[Runs / 2]:0} ms, min {sorted[0]:0} ms, max {sorted[^1]:0} ms ({dll})"));
        }
    }
}
