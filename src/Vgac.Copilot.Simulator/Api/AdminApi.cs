using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>
/// The simulator's own control surface under <c>/_sim/</c> (not part of the VGAC contract): inspect state, step the
/// clock, set faults, switch the scheduler, inject calibration drift, force a refit.
/// </summary>
internal static class AdminApi
{
    public static void MapSimulatorAdmin(this IEndpointRouteBuilder app, Simulation sim)
    {
        var json = VgacSimJson.Default;
        app.MapGet("/_sim/state", () => Results.Json(State(sim), json.SimulatorState));
        app.MapGet("/_sim/faults", () => Results.Json(sim.Faults, json.FaultOptions));
        app.MapPut("/_sim/faults", async (HttpRequest http) =>
        {
            var faults = await Read(http, json.FaultOptions);
            if (faults is null || faults.ErrorRate is < 0 or > 1 || faults.HangRate is < 0 or > 1 || faults.MalformedRate is < 0 or > 1 || faults.LatencyMs < 0)
            {
                return SimulatorApi.Invalid(["body"], "rates must be in [0, 1] and latency_ms >= 0");
            }

            sim.Faults = faults;
            return Results.Json(sim.Faults, json.FaultOptions);
        });
        app.MapPost("/_sim/advance", async (HttpRequest http) =>
        {
            var request = await Read(http, json.AdvanceRequest);
            if (request is null || request.Minutes is <= 0 or > 60 * 24 * 30)
            {
                return SimulatorApi.Invalid(["body", "minutes"], "expected minutes in (0, 43200]");
            }

            sim.Advance(TimeSpan.FromMinutes(request.Minutes));
            return Results.Json(State(sim), json.SimulatorState);
        });
        app.MapPost("/_sim/scheduler", async (HttpRequest http) =>
        {
            var request = await Read(http, json.SchedulerRequest);
            if (request is null || request.Flavor == Contracts.SchedulerType.Unknown)
            {
                return SimulatorApi.Invalid(["body", "flavor"], "expected kubernetes or slurm");
            }

            sim.SwitchScheduler(request.Flavor);
            return Results.Json(State(sim), json.SimulatorState);
        });
        app.MapPost("/_sim/drift", async (HttpRequest http) =>
        {
            var request = await Read(http, json.DriftRequest);
            if (request is null || !double.IsFinite(request.LogitBias) || Math.Abs(request.LogitBias) > 10)
            {
                return SimulatorApi.Invalid(["body", "logit_bias"], "expected a number in [-10, 10]");
            }

            sim.SetDrift(request.LogitBias, request.AutoRefit);
            return Results.Json(State(sim), json.SimulatorState);
        });
        app.MapPost("/_sim/refit", () => sim.Refit() is { } report
            ? Results.Json(report, json.ModelFitReport)
            : SimulatorApi.Detail(StatusCodes.Status409Conflict, "not enough labelled outcomes to fit a model yet"));
    }

    public static SimulatorState State(Simulation sim) => sim.Read(s =>
    {
        var e = s.Engine;
        var c = e.Counters;
        return new SimulatorState(
            s.At(e.Now), e.Scheduler.Flavor, e.WorkloadDescription, c.Submitted, c.Started, c.Succeeded, c.Failed, c.Cancelled,
            e.Pending.Count, e.Running.Count, s.Predictions.LogitBias, s.Predictions.AutoRefit, s.Faults, s.Predictions.Model?.Report);
    });

    private static async Task<T?> Read<T>(HttpRequest http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(http.Body, type, http.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
