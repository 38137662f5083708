using Microsoft.Extensions.Options;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools.Tests;

/// <summary>The one brief made from either subject of the guarded result: the same rules, whichever endpoint answered.</summary>
public sealed class PredictionBriefTests
{
    private static readonly GuardPolicy Guards = new(Options.Create(new GuardOptions()));
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly CalibrationStatus Calm = new(0.02, 0.1, 5000, false, null, null, 0, At, null);
    private static readonly PolicyRecommendation BestEffort = new() { PriorityClass = PriorityClass.BestEffort, PreemptionPolicy = PreemptionPolicy.Normal };

    private static GuardReport Judge(double probability, double confidence) =>
        Guards.Evaluate(PredictionFacts.FromVgac(probability, confidence, true), Calm.ToFacts());

    [Fact]
    public void From_ConfidentJobPrediction_ShowsPolicyByItsWireName()
    {
        var job = new GuardedJobPrediction("j1", new WaitPrediction
        {
            JobId = "j1", PredictedWaitSeconds = 1200.4, PredictedProbabilityLongWait = 0.31, Confidence = 0.9, IsCalibrated = true,
            ModelVersion = "m1", Recommendation = "submit now", Policy = BestEffort,
        }, null, Judge(0.31, 0.9), Calm, 3.2);

        var brief = PredictionBrief.From(job);

        Assert.Equal(ShownAs.Confident, brief.ShownAs);
        Assert.Equal("best_effort", brief.PriorityClass);
        Assert.Equal("submit now", brief.Recommendation);
        Assert.Equal(1200, brief.EstimatedWaitSeconds);
        Assert.Null(brief.WaitCategory);
    }

    [Fact]
    public void From_LowConfidenceSpecPrediction_HidesRecommendationAndPolicy()
    {
        var spec = new GuardedPrediction(new JobSpec { Gpus = 2 }, new PredictionResult
        {
            ProbabilityLongWait = 0.7, EstimatedWaitSeconds = 3600, WaitCategory = "high", Confidence = 0.4, IsCalibrated = true,
            LatencyUs = 800, Recommendation = "wait", Policy = BestEffort,
        }, null, Judge(0.7, 0.4), Calm, 2.0);

        var brief = PredictionBrief.From(spec);

        Assert.Equal(ShownAs.LowConfidence, brief.ShownAs);
        Assert.Null(brief.Recommendation);
        Assert.Null(brief.PriorityClass);
        Assert.Equal("high", brief.WaitCategory);
        Assert.Equal("stable", brief.Calibration.Drift);
    }
}
