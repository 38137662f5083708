using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Agents;
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
[JsonSerializable(typeof(SharedWaitIntervals))]
[JsonSerializable(typeof(PsiResult))]
public sealed partial class CoreJsonContext : JsonSerializerContext;

/// <summary>Output of <c>vgac calibration psi</c>.</summary>
public sealed record PsiResult(string Column, int ReferenceCount, int LiveCount, double Psi, double Limit, bool Met, string Verdict);
