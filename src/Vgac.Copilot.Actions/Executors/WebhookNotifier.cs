using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// Sends Warn/Suggest notifications as a JSON POST (Slack-compatible <c>{"text": …}</c>): the body is the preview,
/// byte for byte. Retried on 5xx, 408, 429 and transport errors (the resilience handler), never on other 4xx. Every
/// attempt carries the proposal id as <c>Idempotency-Key</c>, so a receiver that honours it sees one delivery even
/// when a retry follows a lost response. The URL is a secret (Slack webhook URLs carry a token): it never appears
/// in an outcome, a log line or an error.
/// </summary>
public sealed class WebhookNotifier(IHttpClientFactory clients, IOptions<ActionOptions> options) : IActionExecutor
{
    public const string HttpClientName = "vgac-webhook";

    /// <summary>Where the webhook's retries are logged.</summary>
    public const string ResilienceLogCategory = "Vgac.Copilot.Watch.Webhook";

    /// <summary>
    /// Every attempt may be retried (the receiver can tell a repeat by the idempotency key); each gets
    /// <see cref="WebhookOptions.TimeoutSeconds"/>, and the whole delivery as long as every attempt and the longest
    /// backoff between them could take.
    /// </summary>
    public static Client.Http.ResiliencePolicy Policy(WebhookOptions webhook)
    {
        var attempt = TimeSpan.FromSeconds(webhook.TimeoutSeconds);
        var delay = TimeSpan.FromSeconds(webhook.RetryDelaySeconds);
        return new()
        {
            Name = "webhook",
            AttemptTimeout = attempt,
            Timeout = attempt * (webhook.MaxRetries + 1) + delay * (Math.Pow(2, webhook.MaxRetries) - 1),
            MaxRetries = webhook.MaxRetries,
            RetryBaseDelay = delay,
        };
    }

    public string Name => "webhook";

    public bool Handles(string previewKind) => previewKind == "notification" && options.Value.Webhook.Url is { Length: > 0 };

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var attempts = new AttemptCounter();
        using var message = new HttpRequestMessage(HttpMethod.Post, options.Value.Webhook.Url)
        {
            Content = new StringContent(request.Preview, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        message.Headers.Add("Idempotency-Key", request.ProposalId);
        message.Options.Set(AttemptCounter.Key, attempts);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(message, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (Client.Http.Redirects.IsRedirect(response.StatusCode))
            {
                // Not followed (the URL is a secret, and a delivery is only one if the configured receiver took it).
                var target = Client.Http.Redirects.Describe(response.Headers.Location, message.RequestUri!, withPath: false);
                return new ExecutionOutcome(Name, false, false, $"notification not delivered: the receiver answered HTTP {status}, a redirect to {target}, which is not followed; configure the final URL", attempts.Count, status);
            }

            return response.IsSuccessStatusCode
                ? new ExecutionOutcome(Name, true, false, $"notification delivered (HTTP {status})", attempts.Count, status)
                : new ExecutionOutcome(Name, false, false, $"notification refused by the receiver: HTTP {status} after {attempts.Count} attempt(s)", attempts.Count, status);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException
                                   || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The exception text may hold the URL; only its kind is reported.
            return new ExecutionOutcome(Name, false, false, $"notification not delivered: {Describe(ex)} after {attempts.Count} attempt(s)", attempts.Count);
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: var error } => $"transport error ({error})",
        _ => "timed out",
    };

    /// <summary>Counts attempts as they pass the handler inside the retry loop.</summary>
    internal sealed class AttemptCounter
    {
        public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("vgac.webhook.attempts");

        private int _count;

        public int Count => _count;

        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>Sits inside the resilience handler, so it sees every attempt.</summary>
    internal sealed class AttemptCountingHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Options.TryGetValue(AttemptCounter.Key, out var counter))
            {
                counter.Increment();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
