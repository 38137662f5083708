using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// Puts the API key on every attempt. It sits inside the resilience handler, so a retried request carries it too.
/// </summary>
internal sealed class ApiKeyHandler(IOptions<VgacClientOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!string.IsNullOrEmpty(o.ApiKey))
        {
            if (string.Equals(o.ApiKeyHeader, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Authorization = string.IsNullOrEmpty(o.ApiKeyScheme)
                    ? AuthenticationHeaderValue.Parse(o.ApiKey)
                    : new AuthenticationHeaderValue(o.ApiKeyScheme, o.ApiKey);
            }
            else
            {
                request.Headers.Remove(o.ApiKeyHeader);
                request.Headers.TryAddWithoutValidation(o.ApiKeyHeader, o.ApiKey);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
