using BenchmarkDotNet.Running;
using Vgac.Copilot.Benchmarks;

// dotnet run -c Release --project tests/Vgac.Copilot.Benchmarks -- [latency|cli|audit|micro|all]
var mode = args.FirstOrDefault() ?? "all";
if (mode is "latency" or "all")
{
    await PredictLatency.RunAsync();
}

if (mode is "cli" or "all")
{
    await CliWallTime.RunAsync();
}

if (mode is "audit" or "all")
{
    await AuditTrailBench.RunAsync();
}

if (mode is "micro" or "all")
{
    BenchmarkRunner.Run<GuardAndAuditBenchmarks>(args: [.. args.Skip(1)]);
}
