namespace Vgac.Copilot.Core.Settings;

/// <summary>Settings of the watch loop's schedule (<c>Watch</c> section; what its actions may do is the actions' own options, in the same section).</summary>
public sealed class WatchOptions
{
    public const string SectionName = "Watch";

    /// <summary>The SQLite audit file; default: the user's data folder.</summary>
    public string? AuditPath { get; set; }

    /// <summary>Pending jobs scored per cycle.</summary>
    public int PendingJobsLimit { get; set; } = 20;

    /// <summary>Seconds between the start of two cycles.</summary>
    public double IntervalSeconds { get; set; } = 30;

    /// <summary>While VGAC is down the interval doubles per failed cycle, up to this.</summary>
    public double MaxBackoffSeconds { get; set; } = 300;

    /// <summary>
    /// Recent finished jobs (50-1000, VGAC's history page) the Calibrator audits each cycle: ECE against outcomes and
    /// PSI of the model's input; the guards then use the worse of reported and audited ECE. 0 turns the self-audit
    /// off (reported ECE only).
    /// </summary>
    public int CalibrationAuditJobs { get; set; } = 1000;
}

