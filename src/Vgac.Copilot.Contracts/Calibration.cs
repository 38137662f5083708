namespace Vgac.Copilot.Contracts;

/// <summary>Response of <c>GET /api/jobs/predict/calibration</c>, as in the contract.</summary>
public sealed record CalibrationMetrics
{
    public required double Ece { get; init; }

    public required double BrierScore { get; init; }

    public required int SampleCount { get; init; }

    public DateTimeOffset? LastRecalibration { get; init; }

    public required bool RecalibrationNeeded { get; init; }

    /// <summary>Extra, optional: maximum calibration error on the same bins.</summary>
    public double? Mce { get; init; }

    public string? ModelVersion { get; init; }
}

/// <summary>Body of <c>POST /api/jobs/predict</c>: a job spec plus an optional job id. Inferred.</summary>
public sealed record JobPredictRequest : JobSpec
{
    public string? JobId { get; init; }
}

/// <summary>Response of <c>POST /api/jobs/predict</c> (<c>WaitPrediction</c> in the contract).</summary>
public sealed record WaitPrediction
{
    public required string JobId { get; init; }

    public required double PredictedWaitSeconds { get; init; }

    public required double PredictedProbabilityLongWait { get; init; }

    public required double Confidence { get; init; }

    public required bool IsCalibrated { get; init; }

    public required string ModelVersion { get; init; }

    public double? Ece { get; init; }

    /// <summary>For example <c>{"p10": 30, "p90": 900}</c>.</summary>
    public IReadOnlyDictionary<string, double>? ExpectedWaitRange { get; init; }

    public IReadOnlyList<WaitFactor> TopFactors { get; set; } = [];

    public string? Recommendation { get; init; }

    /// <summary>Policy recommendation; see <see cref="PolicyRecommendation"/>.</summary>
    public PolicyRecommendation? Policy { get; init; }
}

/// <summary>One entry of <c>top_factors</c> (<c>List[Dict[str, Any]]</c> in the contract; these keys inferred).</summary>
public sealed record WaitFactor
{
    public required string Feature { get; init; }

    public double? Value { get; init; }

    public double? Contribution { get; init; }
}

/// <summary>Body of <c>POST /api/jobs/predict/batch</c>. Inferred.</summary>
public sealed record JobBatchPredictRequest
{
    public required IReadOnlyList<JobPredictRequest> Jobs { get; init; }
}

/// <summary>
/// Response of <c>POST /api/jobs/predict/batch</c> and of <c>GET /api/jobs/predict/batch</c> (the contract lists
/// both verbs; GET predicts for the jobs now pending). Inferred.
/// </summary>
public sealed record JobBatchPredictResponse
{
    public required IReadOnlyList<WaitPrediction> Predictions { get; init; }

    public required int Count { get; init; }
}
