using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>The shared single-node Slurm (<see cref="SlurmCluster"/>) as a test asks for it.</summary>
internal static class Slurm
{
    /// <summary>
    /// The cluster, or a skip with the reason when Slurm cannot run here; with <c>VGAC_REQUIRE_SLURM=1</c> (set by
    /// <c>.ci/run</c> once it has installed Slurm) a cluster that cannot start fails the test instead.
    /// </summary>
    public static async Task<SlurmCluster> ClusterAsync()
    {
        var (cluster, unavailable) = await SlurmCluster.SharedAsync();
        if (cluster is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("VGAC_REQUIRE_SLURM") == "1", $"VGAC_REQUIRE_SLURM=1 but {unavailable}");
            Assert.Skip(unavailable ?? "Slurm is unavailable here");
        }

        return cluster;
    }

    /// <summary>A job's fields as <c>scontrol show job -o</c> gives them, read as the Slurm executor reads them.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> JobAsync(this SlurmCluster slurm, string id)
    {
        var run = await slurm.RunAsync("scontrol", ["show", "job", "-o", id]);
        Assert.True(run.ExitCode == 0, $"scontrol show job {id}: {run}");
        return Actions.Executors.SlurmExecutor.JobFields(run.Out);
    }
}
