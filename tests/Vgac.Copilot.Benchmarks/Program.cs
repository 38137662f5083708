using BenchmarkDotNet.Running;
using Vgac.Copilot.Benchmarks;

// dotnet run -c Release --project tests/Vgac.Copilot.Benchmarks -- [latency [--vgac URL]|startup [--native PATH]|audit|micro|all]
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

if (mode is "micro" or "all")
{
    BenchmarkRunner.Run<GuardAndAuditBenchmarks>(args: [.. args.Skip(1)]);
}
