using Microsoft.Extensions.Options;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

/// <summary>The feasibility guard: a request against what the cluster has, whatever VGAC's model says about the queue.</summary>
public sealed class FeasibilityTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The demo's shape: ten 8-GPU A100 nodes and six 4-GPU V100 nodes (104 GPUs), one of them down.</summary>
    private static NodeList Demo() => new()
    {
        Nodes =
        [
            .. Enumerable.Range(1, 10).Select(i => Node($"a100-{i}", "A100", 8, 1152, 96_000, i == 3 ? NodeStatus.NotReady : NodeStatus.Ready)),
            .. Enumerable.Range(1, 6).Select(i => Node($"v100-{i}", "V100", 4, 244, 32_000)),
        ],
        Total = 16,
    };

    private static NodeInfo Node(string name, string? type, int gpus, double memory, double cpu, NodeStatus status = NodeStatus.Ready) => new()
    {
        Name = name, Status = status, GpuType = type, TotalGpus = gpus, AllocatedGpus = 0, AvailableGpus = gpus, MemoryGb = memory, CpuMillicores = cpu,
    };

    private static SlurmStatus Partitions() => new()
    {
        ClusterName = "hpc",
        Controller = "ctl",
        Partitions =
        [
            new SlurmPartition { Name = "gpu", State = "up", TotalNodes = 10, TotalGpus = 80, AllocatedGpus = 0 },
            new SlurmPartition { Name = "gpu-small", State = "up", TotalNodes = 6, TotalGpus = 24, AllocatedGpus = 0 },
        ],
    };

    private static FeasibilityVerdict Judge(JobSpec spec, SlurmStatus? slurm = null) => Feasibility.Judge(spec, ClusterInventory.From(Demo(), slurm, Now));

    [Fact]
    public void Judge_MoreGpusThanTheCluster_NamesBothLimits()
    {
        var verdict = Judge(new JobSpec { Gpus = 200 });

        Assert.Equal((FeasibilityLevel.Infeasible, FeasibilityRules.TotalGpus), (verdict.Level, verdict.Rule));
        Assert.Equal("asks 200 GPUs; the cluster has 104; the largest node has 8 (a job that is not distributed runs on one node)", verdict.Reason);
    }

    [Fact]
    public void Judge_MoreGpusThanOneNode_InfeasibleUnlessDistributed()
    {
        Assert.Equal(FeasibilityRules.NodeGpus, Judge(new JobSpec { Gpus = 16 }).Rule);
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 16, IsDistributed = true }).Level);
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 8 }).Level);
    }

    [Fact]
    public void Judge_AGpuTypeTheClusterLacks_SaysWhatItHas()
    {
        var verdict = Judge(new JobSpec { Gpus = 4, GpuType = "H100" });

        Assert.Equal(FeasibilityRules.GpuType, verdict.Rule);
        Assert.Equal("asks 4 H100 GPUs; the cluster has no H100 GPUs (it has 80 A100, 24 V100)", verdict.Reason);
    }

    [Fact]
    public void Judge_ATypeWithinItsOwnNodes_JudgedOnThoseNodesOnly()
    {
        // 32 V100 exceed the 24 V100 there are, though the cluster has 104 GPUs.
        var verdict = Judge(new JobSpec { Gpus = 32, GpuType = "v100", IsDistributed = true });

        Assert.Equal(FeasibilityRules.TotalGpus, verdict.Rule);
        Assert.Equal("asks 32 v100 GPUs; the cluster's V100 nodes have 24", verdict.Reason);
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 4, GpuType = "V100" }).Level);
    }

    [Fact]
    public void Judge_ALongerVendorName_MatchesTheShortOne()
    {
        var nodes = new NodeList { Nodes = [Node("n1", "NVIDIA-H100-80GB-HBM3", 8, 2048, 192_000)], Total = 1 };

        Assert.Equal(FeasibilityLevel.Feasible, Feasibility.Judge(new JobSpec { Gpus = 8, GpuType = "h100" }, ClusterInventory.From(nodes, null, Now)).Level);
    }

    [Fact]
    public void Judge_SlurmPartitions_UnknownPartitionAndPartitionSize()
    {
        Assert.Equal(FeasibilityRules.Partition, Judge(new JobSpec { Gpus = 2, Queue = "debug" }, Partitions()).Rule);
        Assert.Equal("asks 2 GPUs; there is no partition debug (partitions: gpu, gpu-small)", Judge(new JobSpec { Gpus = 2, Queue = "debug" }, Partitions()).Reason);
        Assert.Equal(FeasibilityRules.PartitionGpus, Judge(new JobSpec { Gpus = 32, Queue = "gpu-small", IsDistributed = true }, Partitions()).Rule);
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 4, Queue = "GPU-SMALL" }, Partitions()).Level);

        // Without partitions reported (not Slurm), a queue name is VGAC's business, not a limit.
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 2, Queue = "debug" }).Level);
    }

    [Fact]
    public void Judge_MemoryAndCpuBeyondAnyNode_Infeasible()
    {
        Assert.Equal(FeasibilityRules.NodeMemory, Judge(new JobSpec { Gpus = 1, MemoryGb = 2000 }).Rule);
        Assert.Equal(FeasibilityRules.NodeCpu, Judge(new JobSpec { Gpus = 1, Cpu = 128_000 }).Rule);
        Assert.Equal(FeasibilityLevel.Feasible, Judge(new JobSpec { Gpus = 1, MemoryGb = 2000, IsDistributed = true }).Level);
    }

    public static TheoryData<NodeList, string> Untrusted() => new()
    {
        { new NodeList { Nodes = [], Total = 0 }, "lists no nodes" },
        { new NodeList { Nodes = [Node("n1", "A100", 8, 100, 1000)], Total = 16 }, "lists 1 of 16 nodes" },
        { new NodeList { Nodes = [Node("n1", "A100", -8, 100, 1000)], Total = 1 }, "figures out of range" },
        { new NodeList { Nodes = [Node("n1", "A100", 8, double.NaN, 1000)], Total = 1 }, "figures out of range" },
    };

    [Theory]
    [MemberData(nameof(Untrusted))]
    public void Inventory_VgacFiguresThatCannotBeTrusted_NothingJudged(NodeList nodes, string why)
    {
        var inventory = ClusterInventory.From(nodes, null, Now);
        var verdict = Feasibility.Judge(new JobSpec { Gpus = 1000 }, inventory);

        Assert.Contains(why, inventory.Error, StringComparison.Ordinal);
        Assert.Equal(FeasibilityLevel.Unchecked, verdict.Level);
        Assert.StartsWith("feasibility not checked: VGAC's node inventory", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Inventory_ATypeNameNoSchedulerCarries_TypesLeftUnknown()
    {
        var nodes = new NodeList { Nodes = [Node("n1", "A100\u202E; rm -rf", 8, 100, 1000), Node("n2", "V100", 4, 100, 1000)], Total = 2 };

        var inventory = ClusterInventory.From(nodes, null, Now);

        Assert.Empty(inventory.GpuTypes);
        Assert.Equal(FeasibilityLevel.Feasible, Feasibility.Judge(new JobSpec { Gpus = 4, GpuType = "H100" }, inventory).Level);
    }

    [Fact]
    public void Guards_Infeasible_ShownAsInfeasible_NoRecommendation_EveryTierBlocked()
    {
        var policy = new GuardPolicy(Options.Create(new GuardOptions()));
        var verdict = Judge(new JobSpec { Gpus = 200 });

        var report = policy.Evaluate(PredictionFacts.FromVgac(0.95, 0.99, true), new CalibrationFacts(0.02, null, 2000, true), verdict);

        Assert.Equal(ShownAs.Infeasible, report.ShownAs);
        Assert.False(report.MayRecommend);
        Assert.Equal(0, report.HighestTier);
        Assert.All(report.Tiers, t => Assert.Equal(GuardRules.Infeasible, t.Rule));

        // The same prediction with a feasible request earns tiers: the guard, not the numbers, blocked them.
        Assert.True(policy.Evaluate(PredictionFacts.FromVgac(0.95, 0.99, true), new CalibrationFacts(0.02, null, 2000, true), Judge(new JobSpec { Gpus = 2 })).HighestTier > 0);
    }
}
