using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// Hands Kubernetes and Slurm effects to a program the operator chose (<c>Watch:Command:Path</c>): the program gets
/// the request as one JSON object on stdin (proposal id, job, tier, action, preview kind, exact preview) and
/// applies it however the site does (kubectl, scontrol, a ticket). Exit code 0 means applied. Nothing is passed
/// through a shell and no argument is built from VGAC data, so a job's fields cannot inject a command.
/// </summary>
public sealed class CommandExecutor(IOptions<ActionOptions> options) : IActionExecutor
{
    public string Name => "command";

    public bool Handles(string previewKind) =>
        options.Value.Command is { Path: { Length: > 0 } } command && command.EffectiveKinds.Contains(previewKind, StringComparer.Ordinal)
        && (previewKind == "notification" || options.Value.EffectiveExecutor == ExecutorChoice.Command);

    /// <summary>How long a program that has exited may still hold its output open (a background child) before its group is ended.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the program in a process group of its own. At the timeout the whole group is ended (a child it left behind
    /// included). Output is read with a bound; once the program has exited, a child still holding its output gets a
    /// moment, then its group is ended too. Whatever happens, an outcome comes back (exit code, the output's last
    /// line, what was cut or stopped), so the trail always records one.
    /// </summary>
    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value.Command;
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Start(settings.Path!);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ExecutionOutcome(Name, false, false, $"the configured command could not be started ({ex.Message})");
        }

        using (group)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
            var process = group.Process;
            try
            {
                try
                {
                    await process.StandardInput.WriteAsync(ActionsJson.Records.Serialize(request).AsMemory(), timeout.Token).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The program exited without reading its input; its exit code says what happened.
                }

                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                group.Kill();
                return new ExecutionOutcome(Name, false, false, $"the configured command did not finish within {settings.TimeoutSeconds:0} s; it and everything it started were stopped{await SaidAsync(group).ConfigureAwait(false)}");
            }

            // The program has exited; a child it left behind may still hold its output open.
            var left = "";
            if (!await Finished(group, OutputGrace).ConfigureAwait(false))
            {
                group.Kill();
                left = "; it left a background process holding its output, which was stopped";
            }

            var said = await SaidAsync(group).ConfigureAwait(false);
            return process.ExitCode == 0
                ? new ExecutionOutcome(Name, true, false, $"applied by the configured command (exit code 0){said}{left}")
                : new ExecutionOutcome(Name, false, false, $"the configured command failed with exit code {process.ExitCode}{said}{left}");
        }
    }

    /// <summary>Whether both output streams were closed within <paramref name="grace"/>.</summary>
    private static async Task<bool> Finished(ProcessGroup group, TimeSpan grace)
    {
        try
        {
            await Task.WhenAll(group.Output, group.Error).WaitAsync(grace).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>": " and the program's last line (stdout, else stderr), and whether output was cut; empty when it said nothing or the streams never closed.</summary>
    private static async Task<string> SaidAsync(ProcessGroup group)
    {
        if (!await Finished(group, OutputGrace).ConfigureAwait(false))
        {
            return "";
        }

        var (output, error) = (await group.Output.ConfigureAwait(false), await group.Error.ConfigureAwait(false));
        var said = Last(output.Text) ?? Last(error.Text);
        var cut = output.Cut || error.Cut ? $" (output cut at {ProcessGroup.MaxOutputChars} characters)" : "";
        return said is null ? cut : $": {Core.Text.UntrustedText.Clean(said)}{cut}";
    }

    /// <summary>The program's last line of output, trimmed to a sentence's length.</summary>
    private static string? Last(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } line
        ? line.Length > 200 ? line[..200] + "…" : line
        : null;
}
