using System.Globalization;
using System.Text;

namespace Vgac.Copilot.Cli.Watching;

/// <summary>
/// <c>vgac watch --demo</c>: drives the embedded simulator's clock (one step per cycle) and plays a day of trouble
/// through its <c>/_sim/</c> control surface, over HTTP like everything else: calm, then calibration drift that
/// grows until nothing may run, recovery after a refit, a VGAC outage, flaky answers, calm again.
/// </summary>
internal sealed class WatchDemoScenario(Uri simulator, TimeSpan step, TextWriter narration) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<(double Hour, string Say, Func<Task> Act)> _script = [];
    private int _next;

    public static WatchDemoScenario Day(Uri simulator, TimeSpan step, TextWriter narration)
    {
        var s = new WatchDemoScenario(simulator, step, narration);
        s.At(5, "drift injected (logit bias +1.2, refits paused): calibration starts to slip", () => s.PostAsync("/_sim/drift", """{"logit_bias":1.2,"auto_refit":false}"""));
        s.At(9, "drift grows (logit bias +3)", () => s.PostAsync("/_sim/drift", """{"logit_bias":3,"auto_refit":false}"""));
        s.At(13, "drift cleared, model refitted, refits resumed", async () =>
        {
            await s.PostAsync("/_sim/drift", """{"logit_bias":0,"auto_refit":true}""").ConfigureAwait(false);
            await s.PostAsync("/_sim/refit", "{}", allowConflict: true).ConfigureAwait(false);
        });
        s.At(17, "VGAC outage: every API call answers 503", () => s.PutAsync("/_sim/faults", """{"error_rate":1}"""));
        s.At(18, "VGAC back, but flaky: 300 ms latency, 15% truncated bodies", () => s.PutAsync("/_sim/faults", """{"latency_ms":300,"malformed_rate":0.15}"""));
        s.At(20, "faults cleared", () => s.PutAsync("/_sim/faults", "{}"));
        return s;
    }

    /// <summary>Before cycle <paramref name="index"/>: advance the clock one step, then play what is due.</summary>
    public async Task BeforeCycleAsync(long index, CancellationToken cancellationToken)
    {
        if (index > 0)
        {
            await PostAsync("/_sim/advance", string.Create(CultureInfo.InvariantCulture, $$"""{"minutes":{{step.TotalMinutes}}}""")).ConfigureAwait(false);
        }

        var hour = index * step.TotalHours;
        while (_next < _script.Count && _script[_next].Hour <= hour)
        {
            var (at, say, act) = _script[_next++];
            await act().ConfigureAwait(false);
            await narration.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[demo +{at:00}h] {say}")).ConfigureAwait(false);
        }
    }

    private void At(double hour, string say, Func<Task> act) => _script.Add((hour, say, act));

    private async Task PostAsync(string path, string json, bool allowConflict = false)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        if (!(allowConflict && response.StatusCode == System.Net.HttpStatusCode.Conflict))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task PutAsync(string path, string json)
    {
        using var response = await _http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();
}
