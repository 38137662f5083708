using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools.Tests;

/// <summary>Advice only from a difference: a what-if says which variant starts soonest only when the model tells them apart.</summary>
public sealed class WhatIfComparisonTests
{
    private static PredictionBrief Brief(double p, double minutes, ShownAs shown = ShownAs.Confident) =>
        new(shown, p, shown == ShownAs.Confident ? 0.9 : 0.4, null, minutes * 60, null, null, 0, [], null, new CalibrationBrief(0.02, "stable", 1.1, 2000, false, null), null);

    [Fact]
    public void Comparison_SameNumbers_SaysTheModelDoesNotDistinguishThem()
    {
        // The demo's 2, 4 and 8 GPUs: 0.75 / 0.73 / 0.75, about 34 min each.
        var c = WhatIfComparison.Of("gpus", [("2", Brief(0.75, 34)), ("4", Brief(0.73, 33)), ("8", Brief(0.75, 34))]);

        Assert.False(c.Distinguishes);
        Assert.Null(c.Best);
        Assert.Equal("The model does not distinguish 2 GPUs, 4 GPUs or 8 GPUs: P(long wait) 0.73 to 0.75, so changing the GPU count is not shown to help.", c.Summary);
    }

    [Fact]
    public void Comparison_HigherPriorityWaitsLonger_NamesTheLowerOneSoonest()
    {
        var c = WhatIfComparison.Of("priority", [("0", Brief(0.14, 7)), ("10", Brief(0.20, 11))]);

        Assert.True(c.Distinguishes);
        Assert.Equal("0", c.Best);
        Assert.Equal("Soonest to start: priority 0, P(long wait) 0.14 against 0.20 for priority 10, about 7 min against 11 min.", c.Summary);
    }

    [Fact]
    public void Comparison_OnlyTheWaitDiffers_StillADifference()
    {
        var c = WhatIfComparison.Of("gpus", [("8", Brief(0.30, 40)), ("4", Brief(0.28, 20))]);

        Assert.True(c.Distinguishes);
        Assert.Equal("4", c.Best);
    }

    [Fact]
    public void Comparison_LowConfidenceVariants_AreLeftOutAndNeverAdvised()
    {
        var mixed = WhatIfComparison.Of("gpus", [("2", Brief(0.14, 7)), ("4", Brief(0.21, 11)), ("8", Brief(0.49, 26, ShownAs.LowConfidence))]);
        var weak = WhatIfComparison.Of("gpus", [("2", Brief(0.14, 7)), ("8", Brief(0.02, 1, ShownAs.LowConfidence))]);

        Assert.Equal("2", mixed.Best);
        Assert.EndsWith("(8 GPUs: not confident, left out).", mixed.Summary, StringComparison.Ordinal);
        Assert.False(weak.Distinguishes);
        Assert.StartsWith("Too few confident predictions to compare (8 GPUs is not confident)", weak.Summary, StringComparison.Ordinal);
    }
}
