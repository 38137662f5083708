using System.Text.Json;
using System.Text.RegularExpressions;
using Vgac.Copilot.Client.Http;
using Refit;

namespace Vgac.Copilot.Client;

/// <summary>
/// Maps whatever the HTTP stack throws (Refit, the resilience handler, sockets, System.Text.Json) onto the contract's error
/// taxonomy, with messages that name the endpoint, and never the API key.
/// </summary>
internal sealed partial class VgacErrorTranslator(VgacClientOptions options)
{
    private const int MaxDetailLength = 300;

    /// <summary>Returns the exception to throw instead of <paramref name="ex"/>, or null to let it pass (caller cancelled).</summary>
    public VgacApiException? Translate(VgacEndpoint endpoint, Exception ex, CancellationToken callerToken)
    {
        // Refit wraps whatever HttpClient.SendAsync threw (sockets, the resilience handler, cancellation) in ApiRequestException.
        if (ex is ApiRequestException { InnerException: { } sendFailure })
        {
            ex = sendFailure;
        }

        if (ex is OperationCanceledException && callerToken.IsCancellationRequested)
        {
            return null;
        }

        return ex switch
        {
            VgacApiException already => already,
            ApiException { InnerException: JsonException json } => InvalidResponse(endpoint, json),
            JsonException json => InvalidResponse(endpoint, json),
            ApiException api => FromStatus(endpoint, api.StatusCode, api.Content, api, api.Headers?.Location),
            OperationCanceledException or TimeoutException => new VgacTimeoutException(
                $"VGAC {endpoint} did not answer within {options.TimeoutSeconds:0.###} s (Vgac:TimeoutSeconds / VGAC_TIMEOUT_SECONDS).",
                endpoint, ex),
            CircuitOpenException open => new VgacUnavailableException(
                $"VGAC at {options.BaseUrl} is unavailable ({endpoint}): too many recent failures, calls are paused for another {Math.Max(1, Math.Ceiling(open.RetryAfter.TotalSeconds)):0} s.",
                endpoint, ex),
            HttpRequestException http => new VgacUnavailableException(
                Redact($"VGAC at {options.BaseUrl} is unavailable ({endpoint}): {http.Message}"), endpoint, ex),
            _ => new VgacApiException(Redact($"VGAC {endpoint} failed: {ex.Message}"), endpoint, null, ex),
        };
    }

    /// <summary>
    /// The error for a non-success status, with FastAPI's <c>detail</c> when the body has one. A redirect is never
    /// followed (the API key would travel to wherever it points): it is an error naming where it pointed.
    /// </summary>
    public VgacApiException FromStatus(VgacEndpoint endpoint, System.Net.HttpStatusCode status, string? body, Exception? inner = null, Uri? location = null)
    {
        if (Redirects.IsRedirect(status))
        {
            var target = Redirects.Describe(location, new Uri(options.BaseUrl), withPath: true);
            return new(Redact($"VGAC {endpoint} answered {(int)status} {status}, a redirect to {target}; vgac does not follow redirects (the API key would go with it): set Vgac:BaseUrl to the address VGAC really answers at."), endpoint, status, inner);
        }

        var detail = DetailSuffix(body);
        return new(Redact($"VGAC {endpoint} returned {(int)status} {status}{detail}"), endpoint, status, inner)
        {
            Detail = detail.Length > 2 ? Redact(detail[2..]) : null,
        };
    }

    private VgacInvalidResponseException InvalidResponse(VgacEndpoint endpoint, JsonException json)
    {
        var missing = MissingPropertiesPattern().Match(json.Message);
        if (missing.Success)
        {
            var field = missing.Groups["fields"].Value.Split(',')[0].Trim(' ', '\'');
            return new VgacInvalidResponseException(
                $"VGAC {endpoint} returned a response without the required field '{field}' ({missing.Groups["fields"].Value.Trim()} missing).",
                endpoint, field, json);
        }

        var path = json.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : null;
        var where = path is null ? string.Empty : $" at field '{path}'";
        return new VgacInvalidResponseException(
            Redact($"VGAC {endpoint} returned a malformed response{where}: {FirstSentence(json.Message)}"), endpoint, path, json);
    }

    private static string DetailSuffix(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return ".";
        }

        string detail;
        try
        {
            using var doc = JsonDocument.Parse(body);
            detail = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("detail", out var d)
                ? d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText()
                : body;
        }
        catch (JsonException)
        {
            detail = body;
        }

        detail = detail.ReplaceLineEndings(" ").Trim();
        return detail.Length > MaxDetailLength ? $": {detail[..MaxDetailLength]}…" : $": {detail}";
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    // A server may echo what it was sent; the key must not travel on in our messages.
    private string Redact(string message) =>
        string.IsNullOrEmpty(options.ApiKey) ? message : message.Replace(options.ApiKey, "***", StringComparison.Ordinal);

    [GeneratedRegex(@"missing required properties including: (?<fields>.+?)\.?$")]
    private static partial Regex MissingPropertiesPattern();
}
