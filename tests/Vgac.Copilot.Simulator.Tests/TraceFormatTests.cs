using Vgac.Copilot.Simulator.Workload;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>A trace's format is told from what is in it, not from what it is called.</summary>
public sealed class TraceFormatTests
{
    [Theory]
    [InlineData("alibaba-gpu-v2023", "openb_pod_list_default.csv", "alibaba")]
    [InlineData("vgac-samples", "slurm_training_dataset.csv", "slurm-dataset")]
    [InlineData("ricc-2010", "RICC-2010-2.swf.gz", "swf")]
    public void Detect_RenamedFile_FormatFromContent(string folder, string file, string expected)
    {
        var renamed = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-trace-"), "trace.data");
        File.Copy(TestPaths.DataFile(folder, file), renamed);

        Assert.Equal(expected, TraceReaders.Detect(renamed));
    }

    [Fact]
    public void Detect_PlainSwfWithoutComments_IsSwf()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-trace-"), "jobs");
        File.WriteAllText(path, "1 0 10 3600 8 -1 -1 8 7200 -1 1 1 1 1 1 -1 -1 -1\n");

        Assert.Equal("swf", TraceReaders.Detect(path));
    }

    [Fact]
    public void Detect_SomethingElse_ErrorNamingTheFormatsAndTheOverride()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-trace-"), "notes.csv");
        File.WriteAllText(path, "when,what\nmonday,meeting\n");

        var ex = Assert.Throws<TraceFormatException>(() => TraceReaders.Detect(path));

        Assert.Contains("cannot tell the trace format from its content", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--trace-format", ex.Message, StringComparison.Ordinal);
    }
}
