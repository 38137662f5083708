namespace Vgac.Copilot.Cli;

/// <summary>Every exit code <c>vgac</c> returns, in one place. Scripts may rely on these.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug): the message says what happened, the log file has the details.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line, bad configuration or bad input file.</summary>
    public const int UsageError = 2;

    /// <summary>VGAC could not be reached (connection refused, DNS, circuit open).</summary>
    public const int VgacUnavailable = 3;

    /// <summary>VGAC did not answer within the timeout.</summary>
    public const int VgacTimeout = 4;

    /// <summary>VGAC answered with an error status or a response that breaks the contract.</summary>
    public const int VgacError = 5;

    /// <summary>The answer is a fallback (<c>confidence: 0</c>) because VGAC could not give a real one.</summary>
    public const int Fallback = 6;

    /// <summary>An action was not carried out: the guards, its state, or a duplicate refused it; or it failed.</summary>
    public const int ActionRefused = 7;

    /// <summary>The thing named (a proposal id, say) does not exist.</summary>
    public const int NotFound = 8;

    /// <summary>The audit check found a guard violation in the trail.</summary>
    public const int AuditViolation = 9;

    /// <summary>
    /// The planner stopped at one of its limits: the question's deadline (<c>Llm:DeadlineSeconds</c>) or tool-call
    /// budget (<c>Llm:MaxToolCalls</c>). The answer, if any, is partial.
    /// </summary>
    public const int PlannerLimit = 10;

    /// <summary>
    /// The answer failed the deterministic check (a number no tool returned, or a claim against the guards' verdict):
    /// it was shown with a warning and the guards' own verdicts.
    /// </summary>
    public const int AnswerUnconfirmed = 11;

    /// <summary><c>calibration audit --fail-on-slo</c>: at least one calibration SLO failed.</summary>
    public const int SloFailed = 12;

    /// <summary>
    /// The store (the audit trail's SQLite file or PostgreSQL database) could not be opened or reached, its schema is
    /// not one this vgac can use, or the role lacks a right the command needs; the message says which and what to do.
    /// </summary>
    public const int StoreUnavailable = 13;

    /// <summary>
    /// The native install's one-shot <c>vgac</c> could not hand a command to the full program beside it
    /// (<c>vgac-full</c>): it is missing or could not be started; the message names the file.
    /// </summary>
    public const int ProgramMissing = 14;

    /// <summary>
    /// <c>predict</c>: the request exceeds what the cluster has (more GPUs than exist, a GPU type it lacks, a node
    /// larger than any, a partition's size): no wait makes it start. The message names the limit.
    /// </summary>
    public const int Infeasible = 15;

    /// <summary><c>vgac doctor</c>: the executor chosen for actions (<c>Watch:Executor</c>) cannot reach its scheduler (<c>scontrol ping</c> fails).</summary>
    public const int SchedulerUnreachable = 16;

    /// <summary>Interrupted by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
