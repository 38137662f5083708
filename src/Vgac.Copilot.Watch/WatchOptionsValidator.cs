using System.Globalization;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Watch;

/// <summary>Refuses watch settings that would silently disable deduplication, prediction or delivery, naming the field.</summary>
internal sealed class WatchOptionsValidator : IValidateOptions<WatchOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        var failures = new List<string>();
        void Range(string field, double value, double min, double max, bool minExclusive = true)
        {
            if (!double.IsFinite(value) || (minExclusive ? value <= min : value < min) || value > max)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"Watch:{field} must be in {(minExclusive ? "(" : "[")}{min}, {max}], got {value}."));
            }
        }

        Range("DedupeMinutes", options.DedupeMinutes, 0, 7 * 24 * 60);
        Range("PendingJobsLimit", options.PendingJobsLimit, 1, 1000, minExclusive: false);
        Range("IntervalSeconds", options.IntervalSeconds, 0, 24 * 3600);
        Range("MaxBackoffSeconds", options.MaxBackoffSeconds, 0, 24 * 3600);
        if (options.CalibrationAuditJobs != 0)
        {
            Range("CalibrationAuditJobs", options.CalibrationAuditJobs, 50, 1000, minExclusive: false);
        }
        if (!Enum.IsDefined(options.Autonomy))
        {
            failures.Add($"Watch:Autonomy must be off, notify or full, got {options.Autonomy}.");
        }

        var webhook = options.Webhook;
        if (webhook.Url is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            // The value itself is a secret: say what is wrong without echoing it.
            failures.Add("Watch:Webhook:Url must be an absolute http(s) URL (value not shown).");
        }

        Range("Webhook:MaxRetries", webhook.MaxRetries, 0, 10, minExclusive: false);
        Range("Webhook:RetryDelaySeconds", webhook.RetryDelaySeconds, 0, 60, minExclusive: false);
        Range("Webhook:TimeoutSeconds", webhook.TimeoutSeconds, 0, 120);
        var command = options.Command;
        if (command.Path is { Length: > 0 } program && !File.Exists(program))
        {
            failures.Add($"Watch:Command:Path: file '{program}' does not exist.");
        }

        if (command.Kinds.FirstOrDefault(k => k is not ("kubernetes_patch" or "slurm_command" or "notification")) is { } kind)
        {
            failures.Add($"Watch:Command:Kinds may hold kubernetes_patch, slurm_command or notification, got '{kind}'.");
        }

        Range("Command:TimeoutSeconds", command.TimeoutSeconds, 0, 600);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
