using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Benchmarks;

/// <summary>Guard evaluation (target under 1 us) and a 1,000,000-row audit (target under 2 s).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class GuardAndAuditBenchmarks
{
    private readonly GuardPolicy _policy = new(Options.Create(new GuardOptions()));
    private readonly PredictionFacts _prediction = PredictionFacts.FromVgac(0.82, 0.91, true);
    private readonly CalibrationFacts _calibration = new(0.021, 0.025, 1000, true, 800);
    private double[] _p = [];
    private int[] _y = [];
    private CalibrationAuditor _auditor = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _p = [.. Enumerable.Range(0, 1_000_000).Select(_ => random.NextDouble())];
        _y = [.. _p.Select(v => random.NextDouble() < v ? 1 : 0)];
        _auditor = new CalibrationAuditor(_policy);
    }

    [Benchmark]
    public GuardReport EvaluateAllGuards() => _policy.Evaluate(_prediction, _calibration);

    [Benchmark]
    public GateVerdict ConfidenceGateOnly() => _policy.Gate(_prediction);

    [Benchmark]
    public CalibrationAudit AuditOneMillionRows() => _auditor.Audit(_p, _y);
}
