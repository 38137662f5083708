namespace Vgac.Copilot.Actions;

/// <summary>
/// What actions may do and how they reach the cluster: the dedupe window, autonomy and the executors. Bound from the
/// <c>Watch</c> section (the keys users already know: <c>Watch:Autonomy</c>, <c>Watch:Webhook:Url</c>, ...); the loop's
/// schedule is the watch's own options in the same section.
/// </summary>
public sealed class ActionOptions
{
    public const string SectionName = "Watch";

    /// <summary>No second proposal, and no second execution, for the same job and tier within this window.</summary>
    public double DedupeMinutes { get; set; } = 60;

    /// <summary>What may run without a person: <c>off</c> (default), <c>notify</c>, <c>full</c>.</summary>
    public Autonomy Autonomy { get; set; } = Autonomy.Off;

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
