using System.Globalization;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>
/// Carries out Slurm effects with <c>scontrol</c> (<c>Watch:Executor=slurm</c>), with the executing user's rights:
/// annotate sets the job's comment, gate holds the job and comments why, release lifts the hold. The preview a person
/// saw is parsed back into argument arrays (<see cref="SlurmCommandLine.Parse"/>: no shell, only the steps vgac
/// writes, only on the proposal's job), each step is run, and the job is read back from Slurm, so the outcome says
/// what Slurm now holds, not what was hoped. A job that left the queue in between is reported as gone, not retried.
/// </summary>
public sealed class SlurmExecutor(IOptions<ActionOptions> options) : IActionExecutor, IEffectReader, ISchedulerProbe
{
    public ExecutorChoice Executor => ExecutorChoice.Slurm;

    /// <summary>What <c>scontrol</c> says about a job it no longer knows, or can no longer hold or update.</summary>
    private static readonly string[] GoneMarkers = ["Invalid job id", "already finished", "no longer pending", "Job has already completed"];

    public string Name => "slurm";

    public bool Handles(string previewKind) => previewKind == "slurm_command" && options.Value.EffectiveExecutor == ExecutorChoice.Slurm;

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var (steps, problem) = SlurmCommandLine.Parse(request.Preview, request.JobId, request.Action);
        if (steps is null)
        {
            return new ExecutionOutcome(Name, false, false, $"not run: the preview is not a Slurm command vgac makes ({problem})");
        }

        var done = new List<string>();
        foreach (var step in steps)
        {
            var (code, said) = await RunAsync(step, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                var after = done.Count == 0 ? "nothing was changed" : $"only {string.Join(" and ", done)} took effect";
                return GoneMarkers.Any(m => said.Contains(m, StringComparison.OrdinalIgnoreCase))
                    ? new ExecutionOutcome(Name, false, false, $"job {request.JobId} has left Slurm's queue or can no longer be changed ({said}); {after}; not retried")
                    : new ExecutionOutcome(Name, false, false, $"scontrol {step[0]} failed{(code is { } c ? $" with exit code {c}" : "")}: {said}; {after}");
            }

            done.Add(step[0]);
        }

        return new ExecutionOutcome(Name, true, false, $"applied with scontrol ({string.Join(", ", done)}); Slurm now shows {await ReadBackAsync(request.JobId, cancellationToken).ConfigureAwait(false)}", steps.Count);
    }

    /// <summary>
    /// Whether <c>scontrol</c> reaches the controller (<c>scontrol ping</c>), and as whom it would act: holds and
    /// comments need that user to own the job, or to be a Slurm operator or administrator.
    /// </summary>
    public async Task<(bool Reached, string Detail)> PingAsync(CancellationToken cancellationToken)
    {
        var (code, said, output) = await RunForOutputAsync(["ping"], cancellationToken).ConfigureAwait(false);
        // The first line is the verdict ("Slurmctld(primary) at HOST is UP"); a DOWN one is followed by a banner of stars.
        var answer = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() is { } line ? UntrustedText.Clean(line, 120) : said;
        return code == 0 && output.Contains(" is UP", StringComparison.Ordinal)
            ? (true, $"slurm: scontrol ping says '{answer}'; acting as user {UntrustedText.Clean(Environment.UserName, 64)}, who must own a job or be a Slurm operator to hold or comment on it")
            : (false, $"slurm: scontrol ping did not reach the controller ({answer})");
    }

    /// <summary>The job as Slurm holds it now: state, reason and comment (<c>scontrol show job -o</c>).</summary>
    public async Task<string> ReadBackAsync(string jobId, CancellationToken cancellationToken)
    {
        var (job, why) = await ShowAsync(jobId, cancellationToken).ConfigureAwait(false);
        return job is null ? $"nothing it could read back ({why})" : job.ToString();
    }

    public bool Reads(string executor) => executor == Name;

    /// <summary>
    /// The cycle after: whether Slurm still shows what the action did (the admin hold of a gate, no admin hold after a
    /// release, vgac's comment after an annotation), read from Slurm itself rather than from VGAC.
    /// </summary>
    public async Task<string> VerifyAsync(ExecutionRequest effect, CancellationToken cancellationToken)
    {
        var (jobId, action) = (effect.JobId, effect.Action);
        var (job, why) = await ShowAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return $"Slurm no longer shows job {jobId} ({why})";
        }

        var held = job.Reason == "JobHeldAdmin";
        var commented = job.Comment.StartsWith("vgac:", StringComparison.Ordinal);
        return action switch
        {
            "gate" when held => $"Slurm confirms the gate: {job}",
            "gate" => $"Slurm no longer shows the gate (released or changed since): {job}",
            ActionPlanner.ReleaseAction when !held => $"Slurm confirms the release: {job}",
            ActionPlanner.ReleaseAction => $"Slurm shows an admin hold again: {job}",
            _ when commented => $"Slurm confirms the annotation: {job}",
            _ => $"Slurm shows another comment now: {job}",
        };
    }

    private async Task<(SlurmJob? Job, string? Why)> ShowAsync(string jobId, CancellationToken cancellationToken)
    {
        var (code, said, output) = await RunForOutputAsync(["show", "job", "-o", jobId], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            return (null, said);
        }

        var fields = JobFields(output);
        var comment = fields.GetValueOrDefault("Comment", "(null)");
        return (new SlurmJob(
            UntrustedText.Clean(fields.GetValueOrDefault("JobState", "?"), 32),
            UntrustedText.Clean(fields.GetValueOrDefault("Reason", "None"), 64),
            UntrustedText.Clean(comment == "(null)" ? "" : comment, SlurmCommandLine.MaxComment)), null);
    }

    /// <summary>What vgac reads of a job: its state, why it waits, its comment.</summary>
    private sealed record SlurmJob(string State, string Reason, string Comment)
    {
        public override string ToString() => $"{State} ({Reason}), comment '{Comment}'";
    }

    /// <summary>
    /// <c>scontrol show job -o</c>'s one line as fields. The comment is the last free-text field Slurm prints before
    /// the fixed ones that follow it, so it is read up to the next known field rather than split on spaces.
    /// </summary>
    public static Dictionary<string, string> JobFields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? last = null;
        foreach (var word in words)
        {
            var at = word.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && char.IsAsciiLetterUpper(word[0]) && word[..at].All(char.IsAsciiLetterOrDigit))
            {
                last = word[..at];
                fields.TryAdd(last, word[(at + 1)..]);
            }
            else if (last is not null)
            {
                fields[last] += " " + word;
            }
        }

        return fields;
    }

    private async Task<(int? Code, string Said)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (code, said, _) = await RunForOutputAsync(args, cancellationToken).ConfigureAwait(false);
        return (code, said);
    }

    /// <summary>One <c>scontrol</c> call in a process group of its own, stopped with everything it started at the timeout.</summary>
    private async Task<(int? Code, string Said, string Output)> RunForOutputAsync(string[] args, CancellationToken cancellationToken)
    {
        var settings = options.Value.Slurm;
        var environment = settings.Conf is { Length: > 0 } conf ? new Dictionary<string, string> { ["SLURM_CONF"] = conf } : null;
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Start(settings.Scontrol, args, environment);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, $"scontrol could not be started ({UntrustedText.Clean(ex.Message, 200)})", "");
        }

        using (group)
        {
            group.Process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
            try
            {
                await group.Process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                var (output, error) = (await group.Output.WaitAsync(timeout.Token).ConfigureAwait(false), await group.Error.WaitAsync(timeout.Token).ConfigureAwait(false));
                var said = LastLine(error.Text) ?? LastLine(output.Text) ?? "no output";
                return (group.Process.ExitCode, UntrustedText.Clean(said, 200), output.Text);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                group.Kill();
                return (null, string.Create(CultureInfo.InvariantCulture, $"scontrol did not finish within {settings.TimeoutSeconds:0} s and was stopped"), "");
            }
        }
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
