using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Core;

/// <summary>JSON for the core's outputs: snake_case, like the VGAC contract.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PredictionView))]
[JsonSerializable(typeof(List<PredictionView>))]
[JsonSerializable(typeof(CalibrationAudit))]
[JsonSerializable(typeof(LiveAudit))]
[JsonSerializable(typeof(CalibrationStatus))]
[JsonSerializable(typeof(PsiResult))]
[JsonSerializable(typeof(WorkloadPredictions))]
public sealed partial class CoreJsonContext : JsonSerializerContext;

/// <summary><c>vgac predict -f manifest.yaml -o json</c>: one prediction per GPU workload, and the workloads not estimated with why.</summary>
public sealed record WorkloadPredictions(IReadOnlyList<PredictionView> Predictions, IReadOnlyList<NotEstimated> NotEstimated);

/// <summary>A workload of a manifest that has no prediction, and why (not a workload vgac reads, no GPU asked for).</summary>
public sealed record NotEstimated(string Workload, string Reason);

/// <summary>Output of <c>vgac calibration psi</c>.</summary>
public sealed record PsiResult(string Column, int ReferenceCount, int LiveCount, double Psi, double Limit, bool Met, string Verdict);

/// <summary>
/// What one run keeps for the user's next ones (<see cref="Caching.ISharedCache"/>): the same snake_case names, but
/// compact and matched exactly, since only this program writes it. A one-shot <c>vgac predict</c> reads it on every
/// start, where the indented, case-insensitive form took twice the bytes and a slower property lookup.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CalibrationStatus))]
[JsonSerializable(typeof(SharedWaitIntervals))]
[JsonSerializable(typeof(Guards.ClusterInventory))]
public sealed partial class CacheJsonContext : JsonSerializerContext;
