using System.Globalization;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Actions;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>
/// <c>vgac watch --demo</c>: drives the embedded simulator's clock (one step per cycle) and plays a day of trouble
/// through its <c>/_sim/</c> control surface, over HTTP like everything else: calm, then calibration drift that
/// grows until nothing may run, recovery after a refit, a VGAC outage, flaky answers, calm again.
/// </summary>
internal sealed class WatchDemoScenario(Uri simulator, TimeSpan step, SettableWatchClock clock, Func<string, Task> say) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<(double Hour, string Say, Func<Task> Act)> _script = [];
    private int _next;
    private TimeSpan? _offset;

    /// <summary>
    /// The newest record already in the trail this demo writes to (a reused <c>--audit-db</c>): the demo's clock then
    /// starts a step after it, so the trail's time never goes backwards.
    /// </summary>
    public DateTimeOffset? TrailNewest { get; init; }

    /// <summary>The cycles of one simulated day at <paramref name="step"/> a cycle: the first at its start, the last at its end.</summary>
    public static int DayCycles(TimeSpan step) => (int)Math.Ceiling(TimeSpan.FromDays(1) / step) + 1;

    public static WatchDemoScenario Day(Uri simulator, TimeSpan step, SettableWatchClock clock, Func<string, Task> say, DateTimeOffset? trailNewest = null)
    {
        var s = new WatchDemoScenario(simulator, step, clock, say) { TrailNewest = trailNewest };
        s.At(2, "drift injected (logit bias +2.5, refits paused): calibration starts to slip", () => s.PostAsync("/_sim/drift", """{"logit_bias":2.5,"auto_refit":false}"""));
        s.At(6, "drift grows (logit bias +5)", () => s.PostAsync("/_sim/drift", """{"logit_bias":5,"auto_refit":false}"""));
        s.At(14, "drift cleared, model refitted, refits resumed (the drifted outcomes still weigh on the reported ECE until they leave its window)", async () =>
        {
            await s.PostAsync("/_sim/drift", """{"logit_bias":0,"auto_refit":true}""").ConfigureAwait(false);
            await s.PostAsync("/_sim/refit", "{}", allowConflict: true).ConfigureAwait(false);
        });
        s.At(17, "VGAC outage: every API call answers 503", () => s.PutAsync("/_sim/faults", """{"error_rate":1}"""));
        s.At(18, "VGAC back, but flaky: 300 ms latency, 15% truncated bodies", () => s.PutAsync("/_sim/faults", """{"latency_ms":300,"malformed_rate":0.15}"""));
        s.At(20, "faults cleared", () => s.PutAsync("/_sim/faults", "{}"));
        return s;
    }

    /// <summary>A calm day: the simulated clock moves, nothing is injected (the cluster beside the one in trouble).</summary>
    public static WatchDemoScenario Calm(Uri simulator, TimeSpan step, SettableWatchClock clock, Func<string, Task> say, DateTimeOffset? trailNewest = null) =>
        new(simulator, step, clock, say) { TrailNewest = trailNewest };

    /// <summary>
    /// The simulator as the demo left it at <paramref name="moment"/>, for a decision taken later on a proposal of
    /// that time (<c>actions approve ID --demo</c>): everything the day had injected by then is played again, the clock
    /// is not moved (the simulator already starts at that moment).
    /// </summary>
    public async Task CatchUpAsync(DateTimeOffset moment)
    {
        var hour = (moment - (new Simulator.SimulatorOptions().StartTime + TimeSpan.FromHours(Commands.WatchCommand.WatchDemoStartHours))).TotalHours;
        while (_next < _script.Count && _script[_next].Hour <= hour)
        {
            await _script[_next++].Act().ConfigureAwait(false);
        }
    }

    /// <summary>Before cycle <paramref name="index"/>: advance the clock one step, then play what is due.</summary>
    public async Task BeforeCycleAsync(long index, CancellationToken cancellationToken)
    {
        var state = index > 0
            ? await PostAsync("/_sim/advance", string.Create(CultureInfo.InvariantCulture, $$"""{"minutes":{{step.TotalMinutes}}}""")).ConfigureAwait(false)
            : await _http.GetStringAsync("/_sim/state", cancellationToken).ConfigureAwait(false);
        using (var json = JsonDocument.Parse(state))
        {
            // The audit trail and its windows follow the simulated day, not the few real minutes it takes.
            var now = json.RootElement.GetProperty("now").GetDateTimeOffset();
            _offset ??= TrailNewest is { } newest && newest >= now ? newest - now + step : TimeSpan.Zero;
            clock.Set(now + _offset.Value);
        }

        var hour = index * step.TotalHours;
        while (_next < _script.Count && _script[_next].Hour <= hour)
        {
            var (at, text, act) = _script[_next++];
            await act().ConfigureAwait(false);
            await say(string.Create(CultureInfo.InvariantCulture, $"[demo +{at:00}h] {text}")).ConfigureAwait(false);
        }
    }

    private void At(double hour, string say, Func<Task> act) => _script.Add((hour, say, act));

    private async Task<string> PostAsync(string path, string json, bool allowConflict = false)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        if (!(allowConflict && response.StatusCode == System.Net.HttpStatusCode.Conflict))
        {
            response.EnsureSuccessStatusCode();
        }

        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    private async Task PutAsync(string path, string json)
    {
        using var response = await _http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();
}
