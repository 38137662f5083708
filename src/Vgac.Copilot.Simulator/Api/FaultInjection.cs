using Microsoft.AspNetCore.Http;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>
/// Injects the configured faults into <c>/api/*</c> requests: API-key enforcement, added latency, 503s, hangs and
/// truncated bodies. Seeded, so a run with the same seed and request order fails the same way.
/// </summary>
internal sealed class FaultInjection(Simulation simulation)
{
    private readonly Random _random = new(simulation.Options.Seed ^ 0xFA17);
    private readonly Lock _gate = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var faults = simulation.Faults;
        if (faults.RequiredApiKey is { Length: > 0 } key && !HasKey(context.Request, key))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("""{"detail":"Not authenticated"}""", context.RequestAborted);
            return;
        }

        if (faults.LatencyMs > 0)
        {
            await Task.Delay(faults.LatencyMs, context.RequestAborted);
        }

        double roll;
        lock (_gate)
        {
            roll = _random.NextDouble();
        }

        if (roll < faults.HangRate)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        if (roll < faults.HangRate + faults.ErrorRate)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"detail":"injected fault: service unavailable"}""", context.RequestAborted);
            return;
        }

        if (roll < faults.HangRate + faults.ErrorRate + faults.MalformedRate)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"truncated": tr""", context.RequestAborted);
            return;
        }

        await next(context);
    }

    private static bool HasKey(HttpRequest request, string key) =>
        request.Headers.Authorization.ToString() == $"Bearer {key}" || request.Headers["X-API-Key"].ToString() == key;
}
