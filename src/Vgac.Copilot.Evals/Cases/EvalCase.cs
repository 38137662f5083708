namespace Vgac.Copilot.Evals.Cases;

/// <summary>A suite file: cases that share a cassette.</summary>
public sealed class EvalSuite
{
    public string Suite { get; set; } = "";

    public string Cassette { get; set; } = "";

    /// <summary>Several clusters, each replaying its own cassette (<c>eks: calm</c>); the first is the current one.</summary>
    public Dictionary<string, string> Clusters { get; set; } = [];

    public List<EvalCase> Cases { get; set; } = [];

    /// <summary>The file it came from.</summary>
    public string File { get; set; } = "";
}

/// <summary>One question and what its answer must (and must not) do.</summary>
public sealed class EvalCase
{
    public string Id { get; set; } = "";

    public string Question { get; set; } = "";

    /// <summary>Earlier turns asked before <see cref="Question"/>, in order (the same planner, the same session).</summary>
    public List<string> Conversation { get; set; } = [];

    /// <summary>Overrides the suite's cassette.</summary>
    public string? Cassette { get; set; }

    /// <summary>Overrides the suite's clusters: each cluster's name and the cassette it replays.</summary>
    public Dictionary<string, string>? Clusters { get; set; }

    public List<string> Tags { get; set; } = [];

    /// <summary>Refuse predictions for specs outside the recorded grid instead of answering from the nearest.</summary>
    public bool ExactPredictions { get; set; }

    public Expectations Expect { get; set; } = new();
}

public sealed class Expectations
{
    /// <summary>Tool names or patterns (<c>observer_*</c>) that must be called.</summary>
    public List<string> ToolsMust { get; set; } = [];

    public List<string> ToolsMustNot { get; set; } = [];

    public int? MinToolCalls { get; set; }

    public int? MaxToolCalls { get; set; }

    /// <summary>Regular expressions the answer must match.</summary>
    public List<string> Facts { get; set; } = [];

    /// <summary>Regular expressions the answer must not match (a number an infeasible request must not be given).</summary>
    public List<string> FactsAbsent { get; set; } = [];

    /// <summary>Numbers the answer must state, within a tolerance: <c>{ value: 104, tolerance: 0 }</c>.</summary>
    public List<NumberFact> Numbers { get; set; } = [];

    /// <summary>Guard outcomes: a tool's result must carry this verdict (e.g. <c>low_confidence</c>, <c>blocked_by_guard</c>).</summary>
    public List<GuardExpectation> Guards { get; set; } = [];

    /// <summary>The planner must say it cannot answer (out of scope, or missing information).</summary>
    public bool? Refusal { get; set; }
}

public sealed class NumberFact
{
    public double Value { get; set; }

    public double Tolerance { get; set; }
}

public sealed class GuardExpectation
{
    public string Tool { get; set; } = "";

    /// <summary>Text the tool's verdict must contain: <c>low_confidence</c>, <c>fallback</c>, <c>drift recalibration_required</c>…</summary>
    public string Verdict { get; set; } = "";
}
