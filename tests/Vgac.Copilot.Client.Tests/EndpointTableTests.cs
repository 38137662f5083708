using System.Reflection;
using Refit;
using Vgac.Copilot.Client.Http;

namespace Vgac.Copilot.Client.Tests;

/// <summary>
/// <see cref="VgacEndpoints"/> is the one table of the contract's endpoints (verb, route, whether a retry is safe):
/// the Refit interface, the list every walk uses and the retry rule are checked against it, so adding an endpoint in
/// one place and not the others fails here (CONTRIBUTING.md, "Adding a VGAC endpoint").
/// </summary>
public sealed class EndpointTableTests
{
    [Fact]
    public void Table_All_HoldsEveryEndpointDeclaredOnItOnce()
    {
        var declared = typeof(VgacEndpoints).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(VgacEndpoint)).Select(f => (VgacEndpoint)f.GetValue(null)!).ToList();

        Assert.Equal(declared.Select(e => e.ToString()).Order(), VgacEndpoints.All.Select(e => e.ToString()).Order());
        Assert.Equal(VgacEndpoints.All.Count, VgacEndpoints.All.Select(e => e.ToString()).Distinct().Count());
    }

    [Fact]
    public void RefitInterface_EveryMethod_UsesAVerbAndRouteOfTheTable()
    {
        var table = VgacEndpoints.All.Select(e => e.ToString()).ToHashSet();
        var methods = typeof(IVgacApi).GetMethods();

        var used = methods.Select(m => m.GetCustomAttribute<HttpMethodAttribute>() is { } verb ? $"{verb.Method.Method} {verb.Path}" : $"(no verb on {m.Name})").ToList();

        Assert.NotEmpty(methods);
        Assert.All(used, u => Assert.Contains(u, table));
        // Every endpoint is reached through Refit but the one the fast path sends itself (decision 0005).
        Assert.Equal([VgacEndpoints.PredictWait.ToString()], table.Except(used));
    }

    [Fact]
    public void Table_RetrySafety_EveryGetAndOnlyTheDeclaredPosts()
    {
        Assert.All(VgacEndpoints.All.Where(e => e.Method == "GET"), e => Assert.True(e.IsIdempotent, e.ToString()));
        Assert.Equal(
            ["POST /api/jobs/predict", "POST /api/jobs/predict/batch", "POST /api/predict/batch", "POST /api/predict/wait"],
            VgacEndpoints.All.Where(e => e.Method == "POST" && e.IsIdempotent).Select(e => e.ToString()).Order());
        Assert.False(VgacEndpoints.PredictWebhook.IsIdempotent, "an admission review is not a pure computation to retry");
    }
}
