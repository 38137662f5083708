using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Actions;

/// <summary>Refuses action settings that would silently disable deduplication or delivery, naming the field.</summary>
internal sealed class ActionOptionsValidator : IValidateOptions<ActionOptions>
{
    public ValidateOptionsResult Validate(string? name, ActionOptions options)
    {
        var failures = new SettingFailures("Watch");
        failures.Range("DedupeMinutes", options.DedupeMinutes, 0, 7 * 24 * 60);
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

        failures.Range("Webhook:MaxRetries", webhook.MaxRetries, 0, 10, minExclusive: false);
        failures.Range("Webhook:RetryDelaySeconds", webhook.RetryDelaySeconds, 0, 60, minExclusive: false);
        failures.Range("Webhook:TimeoutSeconds", webhook.TimeoutSeconds, 0, 120);
        var command = options.Command;
        if (command.Path is { Length: > 0 } program && !File.Exists(program))
        {
            failures.Add($"Watch:Command:Path: file '{program}' does not exist.");
        }

        if (command.Kinds.FirstOrDefault(k => k is not ("kubernetes_patch" or "slurm_command" or "notification")) is { } kind)
        {
            failures.Add($"Watch:Command:Kinds may hold kubernetes_patch, slurm_command or notification, got '{kind}'.");
        }

        failures.Range("Command:TimeoutSeconds", command.TimeoutSeconds, 0, 600);
        if (options.Executor is { } executor && !Enum.IsDefined(executor))
        {
            failures.Add($"Watch:Executor must be none, command, slurm or kubernetes, got {executor}.");
        }

        if (options.Executor == ExecutorChoice.Command && command.Path is not { Length: > 0 })
        {
            failures.Add("Watch:Executor is command, but Watch:Command:Path names no program; set one, or choose none, slurm or kubernetes.");
        }

        if (string.IsNullOrWhiteSpace(options.Slurm.Scontrol))
        {
            failures.Add("Watch:Slurm:Scontrol names no program; leave it unset for scontrol on PATH.");
        }

        if (options.Slurm.Conf is { Length: > 0 } conf && !File.Exists(conf))
        {
            failures.Add($"Watch:Slurm:Conf: file '{conf}' does not exist.");
        }

        failures.Range("Slurm:TimeoutSeconds", options.Slurm.TimeoutSeconds, 0, 600);
        if (options.Kubernetes.Kubeconfig is { Length: > 0 } kubeconfig && !File.Exists(kubeconfig))
        {
            failures.Add($"Watch:Kubernetes:Kubeconfig: file '{kubeconfig}' does not exist.");
        }

        failures.Range("Kubernetes:TimeoutSeconds", options.Kubernetes.TimeoutSeconds, 0, 600);
        return failures.Result();
    }
}

/// <summary>
/// A built-in executor this program carries, registered beside it: a plain value, so the options' validation never
/// builds an executor (which itself needs the options).
/// </summary>
public sealed record CarriedExecutor(ExecutorChoice Executor);

/// <summary>
/// A built-in executor chosen (<c>slurm</c>, <c>kubernetes</c>) must be one this program carries: otherwise its
/// effects would quietly fall to the dry run. The one-shot vgac hands runs that need the Kubernetes executor to the
/// full program before this is asked.
/// </summary>
internal sealed class ExecutorCarriedValidator(IEnumerable<CarriedExecutor> carried) : IValidateOptions<ActionOptions>
{
    public ValidateOptionsResult Validate(string? name, ActionOptions options) =>
        options.EffectiveExecutor is ExecutorChoice.Slurm or ExecutorChoice.Kubernetes && !carried.Any(c => c.Executor == options.EffectiveExecutor)
            ? ValidateOptionsResult.Fail($"Watch:Executor is {options.EffectiveExecutor.ToString().ToLowerInvariant()}, but this program does not carry that executor; run vgac-full, or install both programs together.")
            : ValidateOptionsResult.Success;
}
