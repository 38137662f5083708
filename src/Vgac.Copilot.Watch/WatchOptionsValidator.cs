using System.Globalization;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Watch;

/// <summary>Refuses watch settings that would silently disable deduplication or prediction, naming the field.</summary>
internal sealed class WatchOptionsValidator : IValidateOptions<WatchOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        var failures = new List<string>();
        if (!(options.DedupeMinutes is > 0 and <= 7 * 24 * 60))
        {
            failures.Add($"Watch:DedupeMinutes must be in (0, 10080], got {options.DedupeMinutes.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.PendingJobsLimit is < 1 or > 1000)
        {
            failures.Add($"Watch:PendingJobsLimit must be in [1, 1000], got {options.PendingJobsLimit.ToString(CultureInfo.InvariantCulture)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
