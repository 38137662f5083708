namespace Vgac.Copilot.Client;

/// <summary>Where VGAC is and how to talk to it. Bound from the <c>Vgac</c> configuration section.</summary>
public sealed class VgacClientOptions
{
    public const string SectionName = "Vgac";

    /// <summary>Base URL of the VGAC API (<c>VGAC_API_BASE_URL</c>).</summary>
    public string BaseUrl { get; set; } = "http://localhost:8000";

    /// <summary>API key (<c>VGAC_API_KEY</c>). Never logged, never echoed in an error.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Header that carries the key. With <c>Authorization</c> the value is <c>{ApiKeyScheme} {key}</c>.</summary>
    public string ApiKeyHeader { get; set; } = "Authorization";

    /// <summary>Scheme used when <see cref="ApiKeyHeader"/> is <c>Authorization</c>.</summary>
    public string ApiKeyScheme { get; set; } = "Bearer";

    /// <summary>Budget for one logical call, retries included (<c>VGAC_TIMEOUT_SECONDS</c>).</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Timeout of one attempt; defaults to half of <see cref="TimeoutSeconds"/>.</summary>
    public double? AttemptTimeoutSeconds { get; set; }

    /// <summary>Retries after the first attempt, for idempotent calls on 5xx, 408, 429, timeouts and connection errors.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base delay of the jittered exponential backoff between retries.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 0.2;

    /// <summary>Failure ratio over the sampling window that opens the circuit.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls seen in the sampling window before the circuit may open.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit rejects calls before it lets one through.</summary>
    public double CircuitBreakerBreakSeconds { get; set; } = 15;

    /// <summary>
    /// Whether the client has a circuit breaker at all: for a process that lives long enough to trip it usefully
    /// (the watch loop, the MCP server, a chat). A one-shot command makes a few calls; a breaker there would only
    /// replace the real cause ("connection refused") with "too many recent failures" after the first two.
    /// </summary>
    public bool CircuitBreaker { get; set; } = true;

    internal TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    internal TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds ?? TimeoutSeconds / 2);
}
