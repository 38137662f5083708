using Vgac.Copilot.Simulator.Workload;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>
/// Replays of the shared traces with their recorded start times reproduce the traces' own figures
/// (<c>data/README.md</c> and the dataset's summary JSON).
/// </summary>
public sealed class TraceReplayTests
{
    [Fact]
    public void TraceStartHours_ReplaysFromThere_WithSimulatedTimeZeroAtThatMoment()
    {
        var path = TestPaths.DataFile("alibaba-gpu-v2023", "openb_pod_list_default.csv");
        using var fromStart = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 100, AutoRefit = false, TracePath = path, TraceTiming = "recorded" });
        using var fromBusy = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 100, AutoRefit = false, TracePath = path, TraceTiming = "recorded", TraceStartHours = 3000 });

        // What the file holds in each window, read straight from its creation_time column.
        var lines = File.ReadAllLines(path);
        var column = Array.IndexOf(lines[0].Split(','), "creation_time");
        long InWindow(double fromHours) => lines.Skip(1).Select(l => l.Split(',')[column]).Where(c => c.Length > 0)
            .Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture) / 3600).Count(h => h >= fromHours && h < fromHours + 100);

        Assert.Equal(InWindow(0), fromStart.SubmittedSoFar, 2.0);
        Assert.Equal(InWindow(3000), fromBusy.SubmittedSoFar, 2.0);
        Assert.True(fromBusy.SubmittedSoFar > 100 * fromStart.SubmittedSoFar);
        Assert.Equal(fromStart.Now, fromBusy.Now);
    }

    [Fact]
    public void Alibaba_RecordedTiming_ReproducesWaitDistribution()
    {
        var waits = Replay(TestPaths.DataFile("alibaba-gpu-v2023", "openb_pod_list_default.csv"), out var submitted);

        Assert.Equal(8152, submitted);
        Assert.Equal(7255, waits.Length); // 897 pods were never scheduled
        Assert.Equal(2, Quantile(waits, 0.5), 0.5);
        Assert.Equal(106, Quantile(waits, 0.9), 1.0);
        Assert.Equal(890, Quantile(waits, 0.99), 5.0);
        Assert.Equal(0.156, waits.Count(w => w > 60) / (double)waits.Length, 0.001);
        Assert.Equal(0.016, waits.Count(w => w > 600) / (double)waits.Length, 0.001);
    }

    [Fact]
    public void SlurmDataset_RecordedTiming_ReproducesSummary()
    {
        var waits = Replay(TestPaths.DataFile("vgac-samples", "slurm_training_dataset.csv"), out var submitted);

        Assert.Equal(555, submitted);
        Assert.Equal(555, waits.Length);
        Assert.Equal(35, Quantile(waits, 0.5), 1.0);
        Assert.Equal(133, Quantile(waits, 0.9), 1.0);
        Assert.Equal(329, waits.Max(), 1.0);
        Assert.Equal(55, waits.Count(w => w > 133));
    }

    [Fact]
    public void Ricc_RecordedTiming_StreamsTheWholeLogAndReproducesItsFigures()
    {
        var waits = Replay(TestPaths.DataFile("ricc-2010", "RICC-2010-2.swf.gz"), out var submitted);

        Assert.Equal(447_794, submitted);
        Assert.Equal(10, Quantile(waits, 0.5), 1.0);
        Assert.Equal(3.1 * 3600, Quantile(waits, 0.9), 0.05 * 3600);
        Assert.Equal(0.225, waits.Count(w => w > 600) / (double)waits.Length, 0.005);
        Assert.Equal(0.14, waits.Count(w => w > 3600) / (double)waits.Length, 0.005);
    }

    [Fact]
    public void Alibaba_SimulatedTiming_SchedulesEveryPodOnTheTraceNodes()
    {
        using var sim = Simulation.Create(new SimulatorOptions
        {
            Speed = 0,
            WarmupHours = 0,
            TracePath = TestPaths.DataFile("alibaba-gpu-v2023", "openb_pod_list_default.csv"),
        });

        sim.Advance(TimeSpan.FromDays(160));

        Assert.Equal(1213, sim.Engine.Nodes.Count);
        Assert.Equal(6212, sim.Engine.TotalGpus);
        Assert.Equal(8152, sim.Engine.Counters.Submitted);
        Assert.Equal(0, sim.Engine.Counters.Overflow);
        Assert.Equal(sim.Engine.Counters.Submitted, sim.Engine.Pending.Count + sim.Engine.Running.Count + sim.Engine.Finished.Count);
    }

    [Theory]
    [InlineData("pods_pod_list.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\np0,1000,1024,1,1000,,LS,Running,0,100,0\np1,1000,1024,two,1000,,LS,Running,5,100,5\n", 3, "num_gpu")]
    [InlineData("pods_pod_list.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_spec,qos,pod_phase,creation_time,deletion_time\np0,1,1,1,,LS,Running,0,1\n", 1, "scheduled_time")]
    [InlineData("bad.swf", "; MaxNodes: 4\n; MaxProcs: 16\n1 0 0 10 4 -1 -1 4 60 -1 1 1 1 -1 1 -1 -1 -1\n2 5 x 10 4 -1 -1 4 60 -1 1 1 1 -1 1 -1 -1 -1\n", 4, "wait time")]
    [InlineData("bad.swf", "1 0 0 10 4 -1 -1 4\n", 1, "requested time")]
    public void MalformedTrace_ErrorNamesLineAndColumn(string name, string content, long line, string column)
    {
        var dir = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-trace-");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);

        var ex = Assert.Throws<TraceFormatException>(() =>
        {
            using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 1000, TracePath = path, TraceTiming = "recorded" });
        });

        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.Contains($"line {line}", ex.Message, StringComparison.Ordinal);
    }

    private static double[] Replay(string path, out long submitted)
    {
        var waits = new List<double>();
        // Refits are the model's business, not the replay's; without them half a million jobs replay in seconds.
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 0, AutoRefit = false, TracePath = path, TraceTiming = "recorded" });
        sim.Engine.JobStarted += job => waits.Add(job.WaitSeconds!.Value);
        sim.Advance(TimeSpan.FromDays(400));
        submitted = sim.Engine.Counters.Submitted;
        return [.. waits.Order()];
    }

    /// <summary>The nearest-rank quantile the figures in data/README.md use, interpolated like numpy's default.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
