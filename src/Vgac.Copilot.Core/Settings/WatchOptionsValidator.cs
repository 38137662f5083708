using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Core.Settings;

/// <summary>Refuses watch settings that would silently stop the loop or its prediction, naming the field.</summary>
internal sealed class WatchOptionsValidator : IValidateOptions<WatchOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        var failures = new SettingFailures("Watch");
        failures.Range("PendingJobsLimit", options.PendingJobsLimit, 1, 1000, minExclusive: false);
        failures.Range("IntervalSeconds", options.IntervalSeconds, 0, 24 * 3600);
        failures.Range("MaxBackoffSeconds", options.MaxBackoffSeconds, 0, 24 * 3600);
        if (options.CalibrationAuditJobs != 0)
        {
            failures.Range("CalibrationAuditJobs", options.CalibrationAuditJobs, 50, 1000, minExclusive: false);
        }

        return failures.Result();
    }
}
