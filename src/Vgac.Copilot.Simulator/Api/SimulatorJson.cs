using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Prediction;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>State of the simulator, from <c>GET /_sim/state</c> (not part of the VGAC contract).</summary>
public sealed record SimulatorState(
    DateTimeOffset Now,
    SchedulerType Flavor,
    string Workload,
    long Submitted,
    long Started,
    long Succeeded,
    long Failed,
    long Cancelled,
    int Pending,
    int Running,
    double LogitBias,
    bool AutoRefit,
    FaultOptions Faults,
    ModelFitReport? Model);

/// <summary>Body of <c>POST /_sim/advance</c>.</summary>
public sealed record AdvanceRequest(double Minutes);

/// <summary>Body of <c>POST /_sim/scheduler</c>.</summary>
public sealed record SchedulerRequest(SchedulerType Flavor);

/// <summary>Body of <c>POST /_sim/drift</c>.</summary>
public sealed record DriftRequest(double LogitBias, bool? AutoRefit = null);

/// <summary>JSON metadata for the simulator's own admin types, snake_case like the contract.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SimulatorState))]
[JsonSerializable(typeof(AdvanceRequest))]
[JsonSerializable(typeof(SchedulerRequest))]
[JsonSerializable(typeof(DriftRequest))]
[JsonSerializable(typeof(FaultOptions))]
[JsonSerializable(typeof(ModelFitReport))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ValidationError))]
public sealed partial class VgacSimJson : JsonSerializerContext;

/// <summary>FastAPI's 422 body: <c>{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}</c>.</summary>
public sealed record ValidationError(IReadOnlyList<ValidationIssue> Detail);

public sealed record ValidationIssue(IReadOnlyList<string> Loc, string Msg, string Type);
