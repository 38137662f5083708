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

    /// <summary>
    /// What carries out Kubernetes and Slurm effects (<c>Watch:Executor</c>, or a <c>Clusters</c> entry's
    /// <c>Executor</c>): <c>none</c> records previews for a person to run (a dry run), <c>command</c> hands them to
    /// <see cref="Command"/>'s program, <c>slurm</c> runs them with <c>scontrol</c>, <c>kubernetes</c> patches
    /// through the API server (<see cref="Kubernetes"/>). Unset: <c>command</c> when a command program is
    /// configured, otherwise <c>none</c>. Notifications go to the webhook whatever is chosen.
    /// </summary>
    public ExecutorChoice? Executor { get; set; }

    public SlurmExecutorOptions Slurm { get; set; } = new();

    public KubernetesExecutorOptions Kubernetes { get; set; } = new();

    /// <summary>The executor in force: the one chosen, or what the rest of the configuration implies.</summary>
    public ExecutorChoice EffectiveExecutor => Executor ?? (Command.Path is { Length: > 0 } ? ExecutorChoice.Command : ExecutorChoice.None);
}

/// <summary>Which executor carries out Kubernetes and Slurm effects; its wire names are <c>none</c>, <c>command</c>, <c>slurm</c>, <c>kubernetes</c>.</summary>
public enum ExecutorChoice
{
    None,
    Command,
    Slurm,
    Kubernetes,
}

/// <summary>
/// The built-in Kubernetes executor (<c>Watch:Kubernetes</c>): the official client, with the rights of the
/// kubeconfig's user (or the pod's service account inside a cluster).
/// </summary>
public sealed class KubernetesExecutorOptions
{
    /// <summary>The kubeconfig file; unset, <c>KUBECONFIG</c> (its first file), else <c>~/.kube/config</c>, else the in-cluster service account.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use (a <c>Clusters</c> entry's <c>KubeContext</c>); unset, the file's current context.</summary>
    public string? Context { get; set; }

    /// <summary>How long each call to the API server may take.</summary>
    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>The built-in Slurm executor (<c>Watch:Slurm</c>): <c>scontrol</c> run with the executing user's rights.</summary>
public sealed class SlurmExecutorOptions
{
    /// <summary>The <c>scontrol</c> program (a name on <c>PATH</c>, or a path).</summary>
    public string Scontrol { get; set; } = "scontrol";

    /// <summary>The cluster's <c>slurm.conf</c>, given to <c>scontrol</c> as <c>SLURM_CONF</c>; unset, Slurm's own default (or the environment's).</summary>
    public string? Conf { get; set; }

    /// <summary>How long each <c>scontrol</c> call may take.</summary>
    public double TimeoutSeconds { get; set; } = 30;
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
