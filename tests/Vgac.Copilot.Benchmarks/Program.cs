using BenchmarkDotNet.Running;
using Vgac.Copilot.Benchmarks;

// dotnet run -c Release --project tests/Vgac.Copilot.Benchmarks -- [latency [--vgac URL]|startup [--native PATH]|audit|chain [N] [--postgres]|micro|all]
var mode = args.FirstOrDefault() ?? "all";
if (mode is "startup" or "cli" or "all")
{
    var at = Array.IndexOf(args, "--native");
    await StartupBench.RunAsync(at >= 0 && at + 1 < args.Length ? args[at + 1] : null);
}

if (mode is "latency" or "all")
{
    var at = Array.IndexOf(args, "--vgac");
    await PredictLatency.RunAsync(at >= 0 && at + 1 < args.Length ? new Uri(args[at + 1]) : null);
}

if (mode is "audit" or "all")
{
    await AuditTrailBench.RunAsync();
}

if (mode is "chain" or "all")
{
    var records = args.Skip(1).FirstOrDefault(a => long.TryParse(a, out _)) is { } n ? long.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    await ChainCheckBench.RunAsync(records, postgres: false);
    if (args.Contains("--postgres"))
    {
        await ChainCheckBench.RunAsync(records, postgres: true);
    }
}

if (mode is "micro" or "all")
{
    BenchmarkRunner.Run<GuardAndAuditBenchmarks>(args: [.. args.Skip(1)]);
}
