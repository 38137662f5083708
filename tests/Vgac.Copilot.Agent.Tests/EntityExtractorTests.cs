using Vgac.Copilot.Agent.Offline;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>One test per rule of the entity extractor.</summary>
public sealed class EntityExtractorTests
{
    [Theory]
    [InlineData("how long would one gpu wait", 1)]
    [InlineData("how long would two A100s for a fine-tune wait?", 2)]
    [InlineData("eleven gpus please", 11)]
    [InlineData("twenty GPUs", 20)]
    [InlineData("sixty-four gpus", 64)]
    [InlineData("sixty four gpus", 64)]
    [InlineData("thirty-two H100s", 32)]
    public void NumberWords_ReadAsDigits(string question, int gpus)
    {
        Assert.Equal(gpus, EntityExtractor.Extract(question).Gpus);
    }

    [Theory]
    [InlineData("a pair of A100s", 2)]
    [InlineData("a couple of gpus", 2)]
    [InlineData("a single gpu job", 1)]
    [InlineData("single-GPU inference", 1)]
    [InlineData("a dozen gpus", 12)]
    public void CountPhrases_ReadAsNumbers(string question, int gpus)
    {
        Assert.Equal(gpus, EntityExtractor.Extract(question).Gpus);
    }

    [Theory]
    [InlineData("my 4-GPU job", 4, null)]
    [InlineData("a 4x A100 job", 4, "A100")]
    [InlineData("4xA100", 4, "A100")]
    [InlineData("8 cards", 8, null)]
    [InlineData("2 x H100", 2, "H100")]
    public void GpuCountShapes_Read(string question, int gpus, string? type)
    {
        var e = EntityExtractor.Extract(question);

        Assert.Equal((gpus, type), (e.Gpus, e.GpuType));
    }

    [Fact]
    public void NodesOfN_MultiplyOut()
    {
        Assert.Equal(16, EntityExtractor.Extract("two nodes of 8 gpus, how long till it starts").Gpus);
        Assert.Equal(24, EntityExtractor.Extract("3 nodes with 8").Gpus);
    }

    [Theory]
    [InlineData("64 GB", 64)]
    [InlineData("64GiB", 64)]
    [InlineData("32G of memory", 32)]
    [InlineData("1.5 TB", 1536)]
    public void Memory_InAnyUnit(string question, double gb)
    {
        Assert.Equal(gb, EntityExtractor.Extract("4 gpus with " + question).MemoryGb);
    }

    [Theory]
    [InlineData("a 4 gpu job that runs for 2h", 120)]
    [InlineData("4 gpus for 90 minutes", 90)]
    [InlineData("a 3 hour training on 2 gpus", 180)]
    [InlineData("2 gpus overnight", 600)]
    [InlineData("will 2 gpus wait more than 10 min", null)]
    public void Duration_ARuntimeNotAWaitThreshold(string question, int? minutes)
    {
        Assert.Equal(minutes, EntityExtractor.Extract(question).DurationMinutes);
    }

    [Theory]
    [InlineData("8 gpus at priority 10", 10)]
    [InlineData("a high-priority 4 gpu job", 10)]
    [InlineData("low priority 2 gpus", 0)]
    public void Priority_NumberOrClass(string question, int priority)
    {
        Assert.Equal(priority, EntityExtractor.Extract(question).Priority);
    }

    [Theory]
    [InlineData("what if I asked for 8 GPUs instead of 2?", null)]
    [InlineData("instead, how long for 2 gpus", null)]
    [InlineData("2 gpus in namespace ml-research", "ml-research")]
    [InlineData("4 gpus ns: nlp-team", "nlp-team")]
    [InlineData("team cv-team with 2 gpus", "cv-team")]
    [InlineData("how long for 2 gpus in ml-prod", "ml-prod")]
    [InlineData("insights into 2 gpus", null)]
    public void Namespace_OnlyWhereTheQuestionIntroducesOne(string question, string? ns)
    {
        Assert.Equal(ns, EntityExtractor.Extract(question).Namespace);
    }

    [Theory]
    [InlineData("4 a100s", "A100")]
    [InlineData("4 A100S", "A100")]
    [InlineData("2 h100", "H100")]
    [InlineData("one V100", "V100")]
    public void GpuType_InAnyCase(string question, string type)
    {
        Assert.Equal(type, EntityExtractor.Extract(question).GpuType);
    }

    [Fact]
    public void JobId_Read()
    {
        Assert.Equal("job-004899", EntityExtractor.Extract("annotate JOB-004899 please").JobId);
    }

    [Theory]
    [InlineData("what if I asked for 8 GPUs instead of 2?", new[] { 8, 2 })]
    [InlineData("compare 1, 2 or 4 GPUs", new[] { 1, 2, 4 })]
    [InlineData("how does the wait change going from 4 to 16 gpus", new[] { 4, 16 })]
    [InlineData("one vs two gpus", new[] { 1, 2 })]
    public void Variants_ListsAndAlternatives(string question, int[] variants)
    {
        Assert.Equal(variants, EntityExtractor.Extract(question).GpuVariants);
    }

    [Fact]
    public void NegativeCount_IsInvalidNotRead()
    {
        Assert.Equal("-4 gpus", EntityExtractor.Extract("how long for -4 gpus").InvalidGpus);
    }
}
