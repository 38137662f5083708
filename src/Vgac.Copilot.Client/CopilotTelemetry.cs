using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Vgac.Copilot.Client;

/// <summary>
/// The copilot's own traces and metrics, one source and one meter (<c>Vgac.Copilot</c>) defined once and used where
/// the decisions happen: VGAC calls, tool calls, guard verdicts, actions, planner questions, watch cycles and
/// leadership. Nothing is exported unless the host switches OpenTelemetry on (<c>OTEL_*</c> variables, or a
/// <c>/metrics</c> endpoint); without a listener every call here is a no-op. Tags carry names, rules, tiers and
/// outcomes, never a job's spec, a question's text or a secret.
/// </summary>
public static class CopilotTelemetry
{
    public const string Name = "Vgac.Copilot";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Buckets for durations in seconds (the SDK's defaults are for milliseconds).</summary>
    private static InstrumentAdvice<double> Seconds => new() { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] };

    /// <summary>VGAC calls by endpoint and outcome (<c>ok</c> or the error's kind).</summary>
    public static readonly Counter<long> VgacCalls = Meter.CreateCounter<long>("vgac.client.calls", "{call}", "VGAC API calls, by endpoint and outcome.");

    public static readonly Histogram<double> VgacDuration = Meter.CreateHistogram("vgac.client.duration", "s", "Time of a VGAC API call, retries included.", advice: Seconds);

    /// <summary>Attempts sent again (VGAC, webhook), by client.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("vgac.client.retries", "{retry}", "HTTP attempts retried, by client.");

    /// <summary>Tool calls (plugins, MCP, planners) by tool and outcome.</summary>
    public static readonly Counter<long> ToolCalls = Meter.CreateCounter<long>("vgac.tool.calls", "{call}", "Tool calls, by tool and outcome.");

    /// <summary>Guard verdicts by rule, tier (0 for the confidence gate alone) and whether they allowed.</summary>
    public static readonly Counter<long> GuardVerdicts = Meter.CreateCounter<long>("vgac.guard.verdicts", "{verdict}", "Guard verdicts, by rule, tier and result.");

    /// <summary>Actions by tier, action and outcome (executed, refused, failed, interrupted, preview).</summary>
    public static readonly Counter<long> Actions = Meter.CreateCounter<long>("vgac.actions", "{action}", "Actions, by tier and outcome.");

    public static readonly Counter<long> Admissions = Meter.CreateCounter<long>("vgac.admission.reviews", "{review}", "Admission reviews answered, by outcome (warned, allowed, denied, not_estimated, fail_open).");

    public static readonly Counter<long> PlannerQuestions = Meter.CreateCounter<long>("vgac.planner.questions", "{question}", "Questions answered, by planner and outcome.");

    public static readonly Counter<long> PlannerTokens = Meter.CreateCounter<long>("vgac.planner.tokens", "{token}", "Model tokens, by kind (input, output).");

    public static readonly Counter<double> PlannerCost = Meter.CreateCounter<double>("vgac.planner.cost", "USD", "Estimated model cost.");

    public static readonly Histogram<long> PlannerToolCalls = Meter.CreateHistogram<long>("vgac.planner.tool_calls", "{call}", "Tool calls per question.");

    public static readonly Counter<long> WatchCycles = Meter.CreateCounter<long>("vgac.watch.cycles", "{cycle}", "Watch cycles, by cluster and outcome (ok, outage, failed).");

    public static readonly Histogram<double> WatchCycleDuration = Meter.CreateHistogram("vgac.watch.cycle.duration", "s", "Time of a watch cycle.", advice: Seconds);

    public static readonly Counter<long> LeaderChanges = Meter.CreateCounter<long>("vgac.watch.leader_changes", "{change}", "Watch leadership taken or lost, by cluster.");
}
