using Vgac.Copilot.Agent.Planning;

namespace Vgac.Copilot.Cli.Output;

/// <summary>The warning shown under an answer that failed the check, with the guards' own verdicts (which stand).</summary>
internal static class AnswerWarning
{
    /// <summary>
    /// What follows every answer: nothing for one that rests on no prediction and passed; the guards' verdict line for
    /// one that rests on a prediction and passed; the warning with every verdict for one that failed.
    /// </summary>
    public static IEnumerable<string> After(AnswerCheck check) =>
        !check.Passed ? ["", .. Lines(check)] : check.GuardsLine is { } line ? [line] : [];

    public static IEnumerable<string> Lines(AnswerCheck check)
    {
        yield return "WARNING: this answer was not confirmed by the guards. Trust the verdicts below, not the text above.";
        if (check.UngroundedNumbers.Count > 0)
        {
            yield return $"  - numbers no tool of this question returned: {string.Join(", ", check.UngroundedNumbers.Distinct())}";
        }

        foreach (var contradiction in check.Contradictions)
        {
            yield return $"  - {contradiction}";
        }

        yield return "The guards' verdicts:";
        foreach (var verdict in check.Verdicts)
        {
            yield return $"  {verdict}";
        }
    }
}
