using Vgac.Copilot.Agent.Offline;

namespace Vgac.Copilot.Agent.Tests;

public sealed class ClusterMentionsTests
{
    private static readonly string[] Clusters = ["eks", "slurm", "gke-west"];

    [Theory]
    [InlineData("compare the wait for 4 GPUs on eks and slurm", "eks,slurm", "compare the wait for 4 GPUs")]
    [InlineData("what's the queue between slurm and EKS", "slurm,eks", "what's the queue")]
    [InlineData("show the slurm queue", "slurm", "show the slurm queue")]
    [InlineData("show the slurm queue on slurm", "slurm", "show the slurm queue")]
    [InlineData("how busy is the gke-west cluster", "gke-west", "how busy is the cluster")]
    [InlineData("is eksctl installed", "", "is eksctl installed")]
    [InlineData("how busy is the cluster", "", "how busy is the cluster")]
    public void Find_NamedClusters_InOrder_QuestionWithoutThem(string question, string expected, string rest)
    {
        var (clusters, text) = ClusterMentions.Find(question, Clusters, OfflineUnderstanding.Default.Classifier);

        Assert.Equal(expected, string.Join(',', clusters));
        Assert.Equal(rest, text);
    }

    [Fact]
    public void Find_OneClusterConfigured_NothingIsAName()
    {
        var (clusters, text) = ClusterMentions.Find("status on default", ["default"], OfflineUnderstanding.Default.Classifier);

        Assert.Empty(clusters);
        Assert.Equal("status on default", text);
    }
}
