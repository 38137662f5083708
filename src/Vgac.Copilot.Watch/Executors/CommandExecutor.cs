using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Watch.Executors;

/// <summary>
/// Hands Kubernetes and Slurm effects to a program the operator chose (<c>Watch:Command:Path</c>): the program gets
/// the request as one JSON object on stdin (proposal id, job, tier, action, preview kind, exact preview) and
/// applies it however the site does (kubectl, scontrol, a ticket). Exit code 0 means applied. Nothing is passed
/// through a shell and no argument is built from VGAC data, so a job's fields cannot inject a command.
/// </summary>
public sealed class CommandExecutor(IOptions<WatchOptions> options) : IActionExecutor
{
    public string Name => "command";

    public bool Handles(string previewKind) =>
        options.Value.Command is { Path: { Length: > 0 } } command && command.EffectiveKinds.Contains(previewKind, StringComparer.Ordinal);

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value.Command;
        var info = new ProcessStartInfo(settings.Path!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ExecutionOutcome(Name, false, false, $"the configured command could not be started ({ex.Message})");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(WatchJson.Serialize(request).AsMemory(), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return new ExecutionOutcome(Name, false, false, $"the configured command did not finish within {settings.TimeoutSeconds:0} s and was stopped");
            }
            catch (IOException)
            {
                // The program exited without reading its input; its exit code says what happened.
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }

            var said = Last(await output.ConfigureAwait(false)) ?? Last(await error.ConfigureAwait(false));
            return process.ExitCode == 0
                ? new ExecutionOutcome(Name, true, false, $"applied by the configured command{(said is null ? "" : $": {said}")}")
                : new ExecutionOutcome(Name, false, false, $"the configured command failed with exit code {process.ExitCode}{(said is null ? "" : $": {said}")}");
        }
    }

    /// <summary>The program's last line of output, trimmed to a sentence's length.</summary>
    private static string? Last(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } line
        ? line.Length > 200 ? line[..200] + "…" : line
        : null;
}
