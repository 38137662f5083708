using Vgac.Copilot.Watch.Actions;

namespace Vgac.Copilot.Watch;

/// <summary>Settings of the watch loop (<c>Watch</c> section).</summary>
public sealed class WatchOptions
{
    public const string SectionName = "Watch";

    /// <summary>The SQLite audit file; default: the user's data folder.</summary>
    public string? AuditPath { get; set; }

    /// <summary>No second proposal, and no second execution, for the same job and tier within this window.</summary>
    public double DedupeMinutes { get; set; } = 60;

    /// <summary>Pending jobs scored per cycle.</summary>
    public int PendingJobsLimit { get; set; } = 20;

    /// <summary>Seconds between the start of two cycles.</summary>
    public double IntervalSeconds { get; set; } = 30;

    /// <summary>While VGAC is down the interval doubles per failed cycle, up to this.</summary>
    public double MaxBackoffSeconds { get; set; } = 300;

    /// <summary>What may run without a person: <c>off</c> (default), <c>notify</c>, <c>full</c>.</summary>
    public Autonomy Autonomy { get; set; } = Autonomy.Off;

    /// <summary>
    /// Recent finished jobs (50-1000, VGAC's history page) the Calibrator audits each cycle: ECE against outcomes and
    /// PSI of the model's input; the guards then use the worse of reported and audited ECE. 0 turns the self-audit
    /// off (reported ECE only).
    /// </summary>
    public int CalibrationAuditJobs { get; set; } = 1000;

    public WebhookOptions Webhook { get; set; } = new();

    public CommandOptions Command { get; set; } = new();
}

/// <summary>
/// A program that applies Kubernetes or Slurm effects (<c>Watch:Command</c>). Without a path, those effects are
/// recorded as previews for a person to run.
/// </summary>
public sealed class CommandOptions
{
    /// <summary>The program to run; it reads one JSON request on stdin and exits 0 when it applied it.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// Preview kinds it handles: <c>kubernetes_patch</c>, <c>slurm_command</c>, <c>notification</c>; empty means the
    /// first two (notifications go to the webhook).
    /// </summary>
    public List<string> Kinds { get; set; } = [];

    public IReadOnlyList<string> EffectiveKinds => Kinds.Count > 0 ? Kinds : ["kubernetes_patch", "slurm_command"];

    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>The notifier for Warn/Suggest (<c>Watch:Webhook</c>). Without a URL, notifications are dry runs.</summary>
public sealed class WebhookOptions
{
    /// <summary>Receiver URL (a Slack incoming webhook, say). Treated as a secret: never logged.</summary>
    public string? Url { get; set; }

    /// <summary>Retries after the first attempt on 5xx, 408, 429 and transport errors.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially with jitter.</summary>
    public double RetryDelaySeconds { get; set; } = 1;

    public double TimeoutSeconds { get; set; } = 10;
}
