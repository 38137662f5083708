using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vgac.Copilot.Contracts;

/// <summary>
/// Source-generated JSON metadata for every contract type: snake_case names, enums as strings, C#
/// <c>required</c> members enforced, unknown fields ignored. Used by the client and the simulator alike.
/// </summary>
/// <remarks>
/// Members with a default value are <c>set</c>, not <c>init</c>: the source generator assigns every init-only
/// member at construction, so a field missing from the JSON would overwrite its default with null or zero.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(JobSpec))]
[JsonSerializable(typeof(PredictionResult))]
[JsonSerializable(typeof(BatchPredictRequest))]
[JsonSerializable(typeof(BatchPredictResponse))]
[JsonSerializable(typeof(PredictionServiceStats))]
[JsonSerializable(typeof(PredictorClusterState))]
[JsonSerializable(typeof(PredictionHealth))]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(CalibrationMetrics))]
[JsonSerializable(typeof(JobPredictRequest))]
[JsonSerializable(typeof(WaitPrediction))]
[JsonSerializable(typeof(JobBatchPredictRequest))]
[JsonSerializable(typeof(JobBatchPredictResponse))]
[JsonSerializable(typeof(JobInfo))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(JobQueueSnapshot))]
[JsonSerializable(typeof(JobHistoryStats))]
[JsonSerializable(typeof(FailureAnalysis))]
[JsonSerializable(typeof(ClusterSummary))]
[JsonSerializable(typeof(QuickClusterSummary))]
[JsonSerializable(typeof(BifurcationAnalysis))]
[JsonSerializable(typeof(NodeList))]
[JsonSerializable(typeof(SlurmStatus))]
[JsonSerializable(typeof(SlurmQueue))]
[JsonSerializable(typeof(CapacityForecast))]
[JsonSerializable(typeof(VgacErrorBody))]
public sealed partial class VgacJsonContext : JsonSerializerContext;

/// <summary>FastAPI's error body: <c>{"detail": "…"}</c>.</summary>
public sealed record VgacErrorBody
{
    public required string Detail { get; init; }
}
