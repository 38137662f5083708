using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Tools.Results;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// JSON for tool arguments and results: snake_case, nulls left out, so results stay compact for a model to read.
/// Source-generated metadata for the result types, the contract's for job specs.
/// </summary>
public static class PluginJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    internal static JsonTypeInfo<Dictionary<string, string>> StringMap => (JsonTypeInfo<Dictionary<string, string>>)Options.GetTypeInfo(typeof(Dictionary<string, string>));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(PluginJsonContext.Default, VgacJsonContext.Default, AIJsonUtilities.DefaultOptions.TypeInfoResolver),
        };
        options.MakeReadOnly();
        return options;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterResult))]
[JsonSerializable(typeof(NodesResult))]
[JsonSerializable(typeof(BifurcationResult))]
[JsonSerializable(typeof(SlurmStatusResult))]
[JsonSerializable(typeof(SlurmQueueResult))]
[JsonSerializable(typeof(ForecastResult))]
[JsonSerializable(typeof(JobQueueResult))]
[JsonSerializable(typeof(JobListResult))]
[JsonSerializable(typeof(JobDetailsResult))]
[JsonSerializable(typeof(HistoryStatsResult))]
[JsonSerializable(typeof(FailureResult))]
[JsonSerializable(typeof(AnomaliesResult))]
[JsonSerializable(typeof(PredictionBrief))]
[JsonSerializable(typeof(PredictionListResult))]
[JsonSerializable(typeof(ServiceStatsResult))]
[JsonSerializable(typeof(PredictorStateResult))]
[JsonSerializable(typeof(CalibrationStatusResult))]
[JsonSerializable(typeof(LiveAuditResult))]
[JsonSerializable(typeof(TierVerdictResult))]
[JsonSerializable(typeof(PolicyResult))]
[JsonSerializable(typeof(AdmissionResult))]
[JsonSerializable(typeof(ProposalResult))]
[JsonSerializable(typeof(Actions.ApplyResult))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(IReadOnlyList<Core.Jobs.JobSpecInput>))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;
