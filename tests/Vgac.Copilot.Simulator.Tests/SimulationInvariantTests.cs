using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Api;
using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Tests;

public sealed class SimulationInvariantTests
{
    [Theory]
    [InlineData(SchedulerType.Kubernetes)]
    [InlineData(SchedulerType.Slurm)]
    public void LongSeededRun_NeverOverAllocatesNeverLosesAJob(SchedulerType flavor)
    {
        using var sim = Simulation.Create(new SimulatorOptions { Flavor = flavor, Speed = 0, WarmupHours = 0, Seed = 7 });
        var engine = sim.Engine;
        var starts = 0;
        engine.JobStarted += job =>
        {
            starts++;
            Assert.True(job.StartAt >= job.Request.SubmitAt, $"{job.Id} started before it was submitted");
            Assert.DoesNotContain(job, engine.Pending);
        };

        for (var hour = 0; hour < 24 * 14; hour++)
        {
            sim.Advance(TimeSpan.FromHours(1));
            foreach (var node in engine.Nodes)
            {
                Assert.InRange(node.FreeGpus, 0, node.Gpus);
                var allocated = engine.Running.SelectMany(j => j.Allocations).Where(a => a.Node == node).Sum(a => a.Gpus);
                Assert.Equal(node.Gpus - node.FreeGpus, allocated);
            }

            Assert.All(engine.Pending, j => Assert.Equal(JobState.Pending, j.State));
            Assert.All(engine.Running, j => Assert.Equal(JobState.Running, j.State));
            var c = engine.Counters;
            Assert.Equal(c.Submitted, engine.Pending.Count + engine.Running.Count + c.Succeeded + c.Failed + c.Cancelled);
        }

        Assert.Equal(engine.Counters.Started, starts);
        Assert.True(engine.Counters.Submitted > 3000, $"only {engine.Counters.Submitted} jobs in two weeks");
        // Cancelled-while-pending jobs never started; everything else that finished did.
        Assert.All(engine.Finished.Where(j => j.State != JobState.Cancelled || j.StartAt is not null), j => Assert.NotNull(j.StartAt));
    }

    [Fact]
    public void SameSeed_SameHistory()
    {
        static string Fingerprint()
        {
            using var sim = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 48, Seed = 11 });
            return sim.Read(s => string.Join(';', s.Engine.Finished.Select(j => $"{j.Id}@{j.StartAt:0.###}")));
        }

        Assert.Equal(Fingerprint(), Fingerprint());
    }

    [Fact]
    public void DifferentSeeds_DifferentHistories()
    {
        using var a = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 24, Seed = 1 });
        using var b = Simulation.Create(new SimulatorOptions { Speed = 0, WarmupHours = 24, Seed = 2 });

        Assert.NotEqual(a.Engine.Counters.Submitted, b.Engine.Counters.Submitted);
    }

    [Fact]
    public void DefaultWorkload_BuildsQueuesAndSomeLongWaits()
    {
        using var sim = Simulation.Create(new SimulatorOptions { Speed = 0 });
        var stats = sim.Read(s => JobViews.Stats(s, 24 * 7));
        var peakPending = 0;
        for (var hour = 0; hour < 24; hour++)
        {
            sim.Advance(TimeSpan.FromHours(1));
            peakPending = Math.Max(peakPending, sim.Engine.Pending.Count);
        }

        Assert.True(peakPending >= 10, $"queue never built: peak {peakPending} pending");
        Assert.InRange(stats.LongWaitRate, 0.02, 0.5);
        Assert.True(stats.P99WaitSeconds > sim.Options.LongWaitThresholdSeconds);
        Assert.True(stats.P50WaitSeconds < sim.Options.LongWaitThresholdSeconds);
    }

    [Fact]
    public void Placement_JobLargerThanAnyNode_SpreadsAcrossNodesAllOrNothing()
    {
        var nodes = ClusterLayouts.Uniform(3, 4, "cpu", "batch");
        var job = new JobRequest { Id = "big", Gpus = 10, SubmitAt = 0, RuntimeSeconds = 1 };

        var where = Placement.TryPlace(nodes, job, largestNode: 4);
        nodes[0].FreeGpus = 1;
        var none = Placement.TryPlace(nodes, job, largestNode: 4);

        Assert.Equal(10, where!.Sum(a => a.Gpus));
        Assert.Null(none);
    }
}
