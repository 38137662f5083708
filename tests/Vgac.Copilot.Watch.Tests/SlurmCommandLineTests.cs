using Vgac.Copilot.Actions.Executors;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>The preview a person sees is the command the Slurm executor runs: one writer, one strict reader.</summary>
public sealed class SlurmCommandLineTests
{
    [Fact]
    public void Render_Gate_IsAHoldThenAQuotedComment()
    {
        var preview = SlurmCommandLine.Render(SlurmCommandLine.Gate("4211", "vgac: gated, p_long_wait=0.81, confirm to release"));

        Assert.Equal("scontrol hold 4211 && scontrol update JobId=4211 'Comment=vgac: gated, p_long_wait=0.81, confirm to release'", preview);
    }

    [Theory]
    [InlineData("gate")]
    [InlineData("annotate")]
    [InlineData("release")]
    public void Parse_WhatRenderWrote_GivesBackTheSameArguments(string effect)
    {
        const string comment = "it's \"quoted\" && $(not run) `ever`; 100%";
        var steps = effect switch
        {
            "gate" => SlurmCommandLine.Gate("77", comment),
            "release" => SlurmCommandLine.Release("77", comment),
            _ => SlurmCommandLine.Annotate("77", comment),
        };

        var (parsed, problem) = SlurmCommandLine.Parse(SlurmCommandLine.Render(steps), "77", effect);

        Assert.Null(problem);
        Assert.Equal(steps.Select(s => string.Join('\u0001', s)), parsed!.Select(s => string.Join('\u0001', s)));
    }

    [Theory]
    [InlineData("scontrol hold 78", "names job '78'")]
    [InlineData("scontrol update JobId=77 Partition=big", "only the comment")]
    [InlineData("scontrol update JobId=78 'Comment=x'", "not JobId=77")]
    [InlineData("scontrol cancel 77", "not a step vgac makes")]
    [InlineData("scancel 77", "every step must be 'scontrol")]
    [InlineData("scontrol hold 77; reboot", "is not a step vgac makes")]
    [InlineData("scontrol update JobId=77 'Comment=open", "quoting is not closed")]
    [InlineData("scontrol hold 77 && rm -rf /", "every step must be 'scontrol")]
    [InlineData("scontrol hold \\77", "quoting")]
    [InlineData("", "no step")]
    public void Parse_AnythingVgacDoesNotWrite_IsRefusedWithTheReason(string preview, string reason)
    {
        var (steps, problem) = SlurmCommandLine.Parse(preview, "77", "gate");

        Assert.Null(steps);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("annotate", "scontrol hold 77", "'annotate' may not hold the job")]
    [InlineData("annotate", "scontrol release 77", "may not release")]
    [InlineData("gate", "scontrol release 77", "may not release")]
    [InlineData("release", "scontrol hold 77 && scontrol update JobId=77 'Comment=x'", "may not hold")]
    public void Parse_AStepOfAnotherAction_IsRefused(string action, string preview, string reason)
    {
        var (steps, problem) = SlurmCommandLine.Parse(preview, "77", action);

        Assert.Null(steps);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AJobIdThatIsNotSlurms_IsRefusedBeforeReading()
    {
        var (steps, problem) = SlurmCommandLine.Parse("scontrol hold 77", "77;x", "gate");

        Assert.Null(steps);
        Assert.Contains("Slurm job id", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Annotate_ControlCharactersAndLength_AreCleanedBeforeTheyReachSlurm()
    {
        var steps = SlurmCommandLine.Annotate("5", "bell\u0007 and " + new string('x', 400));

        var comment = steps[0][2];
        Assert.DoesNotContain('\u0007', comment);
        Assert.True(comment.Length <= "Comment=".Length + SlurmCommandLine.MaxComment, comment);
        Assert.Null(SlurmCommandLine.Parse(SlurmCommandLine.Render(steps), "5", "annotate").Problem);
    }
}
