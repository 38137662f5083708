using System.Net;

namespace Vgac.Copilot.Client;

/// <summary>VGAC answered with an error, or could not be used (<c>VGACAPIError</c> in the contract).</summary>
public class VgacApiException : Exception
{
    public VgacApiException(string message, VgacEndpoint endpoint, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
    }

    /// <summary>The contract endpoint that failed.</summary>
    public VgacEndpoint Endpoint { get; }

    /// <summary>HTTP status VGAC answered with, when it answered at all.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>VGAC's own explanation (FastAPI's <c>detail</c>), when it gave one.</summary>
    public string? Detail { get; init; }
}

/// <summary>VGAC did not answer within the configured timeout (<c>VGACTimeoutError</c>).</summary>
public sealed class VgacTimeoutException(string message, VgacEndpoint endpoint, Exception? innerException = null)
    : VgacApiException(message, endpoint, null, innerException);

/// <summary>VGAC could not be reached, or the circuit breaker is open (<c>VGACUnavailableError</c>).</summary>
public sealed class VgacUnavailableException(string message, VgacEndpoint endpoint, Exception? innerException = null)
    : VgacApiException(message, endpoint, null, innerException);

/// <summary>VGAC answered 2xx with a body that is not the contract's shape: malformed JSON or a missing field.</summary>
public sealed class VgacInvalidResponseException(string message, VgacEndpoint endpoint, string? field, Exception? innerException = null)
    : VgacApiException(message, endpoint, HttpStatusCode.OK, innerException)
{
    /// <summary>The JSON field that was missing or wrong, when known.</summary>
    public string? Field { get; } = field;
}
