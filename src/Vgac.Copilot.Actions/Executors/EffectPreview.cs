namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// The one rule for what a scheduler preview may run, used by the executors and by <c>vgac audit --check</c>: a
/// preview is run as written only when it is exactly what vgac writes for its action on its own job (a Slurm
/// command, <see cref="SlurmCommandLine.Parse"/>; a Kubernetes patch, <see cref="KubectlPatchLine.Parse"/>).
/// Notifications carry no command and have no such rule.
/// </summary>
public static class EffectPreview
{
    /// <summary>Why the preview is not what <paramref name="action"/> runs, or null when it is (or carries no command).</summary>
    public static string? Problem(string previewKind, string preview, string jobId, string action, string proposalId) => previewKind switch
    {
        "slurm_command" => SlurmCommandLine.Parse(preview, jobId, action).Problem,
        "kubernetes_patch" => KubectlPatchLine.Parse(preview, jobId, action, proposalId).Problem,
        _ => null,
    };
}
