using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Client;

/// <summary>
/// Checks <see cref="VgacClientOptions"/> at start-up. Each failure names the setting as a user would set it
/// (configuration key and environment variable) and what was expected.
/// </summary>
internal sealed class VgacClientOptionsValidator : IValidateOptions<VgacClientOptions>
{
    public ValidateOptionsResult Validate(string? name, VgacClientOptions options)
    {
        var failures = new List<string>();

        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Vgac:BaseUrl must be an absolute http or https URL, got '{options.BaseUrl}'.");
        }

        if (!(options.TimeoutSeconds is > 0 and <= 3600))
        {
            failures.Add($"Vgac:TimeoutSeconds must be a number of seconds in (0, 3600], got {options.TimeoutSeconds}.");
        }
        else if (options.AttemptTimeoutSeconds is { } attempt && !(attempt >= 0.01 && attempt <= options.TimeoutSeconds))
        {
            failures.Add($"Vgac:AttemptTimeoutSeconds must be between 0.01 and Vgac:TimeoutSeconds ({options.TimeoutSeconds}), got {attempt}.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"Vgac:MaxRetries must be between 0 and 10, got {options.MaxRetries}.");
        }

        if (!(options.RetryBaseDelaySeconds is >= 0 and <= 60))
        {
            failures.Add($"Vgac:RetryBaseDelaySeconds must be between 0 and 60, got {options.RetryBaseDelaySeconds}.");
        }

        if (!(options.CircuitBreakerFailureRatio is > 0 and <= 1))
        {
            failures.Add($"Vgac:CircuitBreakerFailureRatio must be in (0, 1], got {options.CircuitBreakerFailureRatio}.");
        }

        if (options.CircuitBreakerMinimumThroughput < 2)
        {
            failures.Add($"Vgac:CircuitBreakerMinimumThroughput must be at least 2, got {options.CircuitBreakerMinimumThroughput}.");
        }

        if (!(options.CircuitBreakerBreakSeconds is >= 0.5 and <= 3600))
        {
            failures.Add($"Vgac:CircuitBreakerBreakSeconds must be between 0.5 and 3600, got {options.CircuitBreakerBreakSeconds}.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKeyHeader) || options.ApiKeyHeader.Any(c => char.IsWhiteSpace(c) || c == ':'))
        {
            failures.Add($"Vgac:ApiKeyHeader must be an HTTP header name, got '{options.ApiKeyHeader}'.");
        }

        if (options.ApiKey is { } key && key.Any(char.IsControl))
        {
            // Say what is wrong without repeating the secret.
            failures.Add("Vgac:ApiKey contains control characters (a stray newline?).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
