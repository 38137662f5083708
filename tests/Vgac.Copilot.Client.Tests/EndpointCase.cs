namespace Vgac.Copilot.Client.Tests;

/// <summary>
/// One endpoint's wire case: how to call it, what must reach the server, what the server answers, and what
/// the parsed record must hold.
/// </summary>
internal sealed record EndpointCase(
    VgacEndpoint Endpoint,
    string ExpectedPath,
    string ExpectedQuery,
    string? ExpectedBodyFragment,
    string ResponseJson,
    Func<VgacClient, CancellationToken, Task<object>> Call,
    Action<object> Verify)
{
    public override string ToString() => Endpoint.ToString();
}
