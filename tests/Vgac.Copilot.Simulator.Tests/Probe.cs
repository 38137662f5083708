using Vgac.Copilot.Simulator.Api;

namespace Vgac.Copilot.Simulator.Tests;

public sealed class Probe(ITestOutputHelper output)
{
    [Fact]
    public void Probe_DefaultSeed_PrintsStats()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0 });
        output.WriteLine($"warmup {sw.ElapsedMilliseconds} ms");
        var st = AdminApi.State(sim);
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(st, VgacSimJson.Default.SimulatorState));
        var stats = sim.Read(s => JobViews.Stats(s, 24));
        output.WriteLine($"p50 {stats.P50WaitSeconds} p90 {stats.P90WaitSeconds} p95 {stats.P95WaitSeconds} longrate {stats.LongWaitRate} util {sim.Read(s => ClusterViews.Utilization(s.Engine))}");
        var rep = sim.Read(s => s.Predictions.MeasureCalibration(s.Engine))!;
        foreach (var b in rep.ReliabilityCurve) output.WriteLine($"  bin n={b.Count} pred={b.MeanPredicted:0.000} obs={b.ObservedRate:0.000}");
        var samples = sim.Read(s => s.Predictions.LabelledSamples(s.Engine).ToList());
        output.WriteLine($"samples {samples.Count} pos {samples.Average(x => x.Sample.Label):0.000} withpred {samples.Count(x => x.Job.Prediction != null)}");
        foreach (var x in samples.TakeLast(10)) output.WriteLine($"  {x.Job.Id} g={x.Job.Request.Gpus} ratio={x.Sample.PendingRatio:0.00} ahead={x.Sample.PendingAtSubmit} wait={x.Sample.WaitSeconds:0} y={x.Sample.Label} p={x.Job.Prediction?.ProbabilityLongWait}");
        var cal = sim.Read(PredictionViews.Calibration);
        output.WriteLine($"cal ece {cal.Ece} n {cal.SampleCount} brier {cal.BrierScore}");
        sim.SwitchScheduler(Contracts.SchedulerType.Slurm);
        sim.SetDrift(0, false);
        sim.Advance(TimeSpan.FromHours(48));
        cal = sim.Read(PredictionViews.Calibration);
        stats = sim.Read(s => JobViews.Stats(s, 24));
        output.WriteLine($"after slurm: cal ece {cal.Ece} n {cal.SampleCount}; p50 {stats.P50WaitSeconds} p90 {stats.P90WaitSeconds} longrate {stats.LongWaitRate}");
        for (var h = 0; h < 24; h += 3)
        {
            sim.Advance(TimeSpan.FromHours(3));
            var q = sim.Read(s => ClusterViews.Summary(s));
            output.WriteLine($"{sim.Now:ddd HH:mm} pending {q.PendingJobs} running {q.RunningJobs} util {q.GpuUtilization}");
        }
    }
}
