using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Actions.Executors;

/// <summary>What a Kubernetes step patches: the pod, the Job that owns it, or the Job vgac's gate suspended.</summary>
public enum KubernetesTarget
{
    /// <summary>The pending pod itself (its <c>vgac.io/*</c> annotations).</summary>
    Pod,

    /// <summary>The Job the pod's owner reference names (a gate suspends it).</summary>
    OwnerJob,

    /// <summary>The Job carrying the gate's label <c>vgac.io/gate=ID</c> (a release resumes it).</summary>
    GatedJob,
}

/// <summary>One merge patch vgac makes: its target (<paramref name="Name"/> is the pod's name, or the gate id for <see cref="KubernetesTarget.GatedJob"/>).</summary>
public sealed record KubernetesStep(KubernetesTarget Target, string Namespace, string Name, JsonObject Patch)
{
    public string PatchText => Patch.ToJsonString();
}

/// <summary>
/// The Kubernetes effects vgac makes, as merge patches, and the one way they are written as a preview
/// (<see cref="Render"/>: <c>kubectl</c> lines a person can run) and read back from one (<see cref="Parse"/>). The
/// preview a person saw is what runs: the Kubernetes executor parses it back and refuses anything but what vgac
/// writes for that action on the proposal's own pod — annotate sets <c>vgac.io/*</c> annotations; gate adds
/// <c>vgac.io/gate</c> and suspends the owning Job, labelled with the gate's id; release resumes the Job carrying
/// that label and says who released it.
/// </summary>
public static partial class KubectlPatchLine
{
    /// <summary>The annotation (on the pod) and label (on the Job) that mark vgac's gate.</summary>
    public const string GateKey = "vgac.io/gate";

    /// <summary>Who lifted a gate (annotation on the pod and the Job).</summary>
    public const string ReleasedByKey = "vgac.io/released-by";

    /// <summary>The pod annotation's value while a gate is in force.</summary>
    public const string GateValue = "confirmation-required";

    /// <summary>The longest annotation value vgac writes.</summary>
    public const int MaxValue = 200;

    /// <summary>The annotations an annotation or gate may set on the pod.</summary>
    private static readonly string[] TierKeys = ["vgac.io/probability-long-wait", "vgac.io/confidence", "vgac.io/tier"];

    /// <summary>Tier 1: the pod's annotations say what vgac saw.</summary>
    public static IReadOnlyList<KubernetesStep> Annotate(string ns, string pod, IReadOnlyList<(string Key, string Value)> annotations) =>
        [new(KubernetesTarget.Pod, ns, pod, Annotations(annotations.Select(a => (a.Key, (string?)a.Value))))];

    /// <summary>Tier 4: the pod is marked gated, and the Job that owns it is suspended and labelled with the gate's id.</summary>
    public static IReadOnlyList<KubernetesStep> Gate(string ns, string pod, string proposalId, IReadOnlyList<(string Key, string Value)> annotations) =>
    [
        new(KubernetesTarget.Pod, ns, pod, Annotations(annotations.Select(a => (a.Key, (string?)a.Value)).Append((GateKey, GateValue)))),
        new(KubernetesTarget.OwnerJob, ns, pod, new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [GateKey] = GateId(proposalId) } },
            ["spec"] = new JsonObject { ["suspend"] = true },
        }),
    ];

    /// <summary>Lifting a gate: the Job carrying its label is resumed and unlabelled, and the pod's gate mark removed, each saying who.</summary>
    public static IReadOnlyList<KubernetesStep> Release(string ns, string pod, string gateProposalId, string releasedBy)
    {
        var who = Core.Text.UntrustedText.Fit(releasedBy, MaxValue);
        return
        [
            new(KubernetesTarget.GatedJob, ns, GateId(gateProposalId), new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["labels"] = new JsonObject { [GateKey] = null },
                    ["annotations"] = new JsonObject { [ReleasedByKey] = who },
                },
                ["spec"] = new JsonObject { ["suspend"] = false },
            }),
            new(KubernetesTarget.Pod, ns, pod, Annotations([(GateKey, null), (ReleasedByKey, who)])),
        ];
    }

    /// <summary>The gate's id as its label carries it: the planner's id without the stamp the trail adds (<c>prop-</c> and ten hex digits).</summary>
    public static string GateId(string proposalId) => proposalId.Length >= 15 && GateIdPattern().IsMatch(proposalId[..15]) ? proposalId[..15] : proposalId;

    /// <summary>The release's own id, bound to the gate it lifts: an executor checks a release preview names that gate.</summary>
    public static string ReleaseId(string gateProposalId) => $"rel-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GateId(gateProposalId))))[..10]}";

    /// <summary>
    /// The steps as lines a person can read and run. A gate's steps are joined with <c>&amp;&amp;</c> (the Job is
    /// suspended only once the pod is marked); a release's with <c>;</c> (the pod is usually gone by then: suspending
    /// its Job removed it).
    /// </summary>
    public static string Render(IReadOnlyList<KubernetesStep> steps)
    {
        var separator = steps.Count > 0 && steps[0].Target == KubernetesTarget.GatedJob ? " ; " : " && ";
        return string.Join(separator, steps.Select(step => $"{Target(step)} --type merge -p {Identifiers.ShellQuote(step.PatchText)}"));
    }

    private static string Target(KubernetesStep step) => step.Target switch
    {
        KubernetesTarget.Pod => $"kubectl -n {step.Namespace} patch pod {step.Name}",
        KubernetesTarget.OwnerJob => $"kubectl -n {step.Namespace} patch job \"$(kubectl -n {step.Namespace} get pod {step.Name} -o jsonpath='{OwnerPath}')\"",
        _ => $"kubectl -n {step.Namespace} patch \"$(kubectl -n {step.Namespace} get jobs -l {GateKey}={step.Name} -o name)\"",
    };

    private const string OwnerPath = "{.metadata.ownerReferences[?(@.kind==\"Job\")].name}";

    /// <summary>
    /// The steps of a preview written by <see cref="Render"/> for <paramref name="action"/>, each checked to be what
    /// vgac makes for that action on pod <paramref name="pod"/> (proposal <paramref name="proposalId"/>); or why the
    /// preview is not one (an executor then runs nothing, the audit check reports it).
    /// </summary>
    public static (IReadOnlyList<KubernetesStep>? Steps, string? Problem) Parse(string preview, string pod, string action, string proposalId)
    {
        if (Identifiers.KubernetesName(pod) is { } bad)
        {
            return (null, bad);
        }

        var steps = new List<KubernetesStep>();
        var at = 0;
        while (true)
        {
            var match = StepPattern().Match(preview, at);
            if (!match.Success)
            {
                return (null, $"{(steps.Count == 0 ? "the preview" : "a later step")} is not a kubectl patch vgac makes");
            }

            if (Unquote(preview, match.Index + match.Length) is not { } read)
            {
                return (null, "the patch's quoting is not closed");
            }

            if (ParseObject(read.Text) is not { } patch)
            {
                return (null, "the patch is not a JSON object");
            }

            var ns = match.Groups["ns"].Value;
            var step = match.Groups["pod"].Success ? new KubernetesStep(KubernetesTarget.Pod, ns, match.Groups["pod"].Value, patch)
                : match.Groups["owned"].Success ? new KubernetesStep(KubernetesTarget.OwnerJob, ns, match.Groups["owned"].Value, patch)
                : new KubernetesStep(KubernetesTarget.GatedJob, ns, match.Groups["gate"].Value, patch);
            steps.Add(step);
            at = read.End;
            if (at == preview.Length)
            {
                break;
            }

            if (Separator().Match(preview, at) is not { Success: true } separator)
            {
                return (null, "the steps must be joined by && or ;");
            }

            at += separator.Length;
        }

        return Check(steps, pod, action, proposalId) is { } problem ? (null, problem) : (steps, null);
    }

    /// <summary>Whether the parsed steps are exactly what <paramref name="action"/> does, on one namespace and pod.</summary>
    private static string? Check(List<KubernetesStep> steps, string pod, string action, string proposalId)
    {
        var ns = steps[0].Namespace;
        if (steps.Any(s => s.Namespace != ns))
        {
            return "its steps name more than one namespace";
        }

        if (steps.FirstOrDefault(s => s.Target != KubernetesTarget.GatedJob && s.Name != pod) is { } other)
        {
            return $"it names pod {Identifiers.Echo(other.Name)}, not {pod}";
        }

        var shape = string.Join(",", steps.Select(s => s.Target));
        switch (action)
        {
            case "gate":
                if (shape != "Pod,OwnerJob")
                {
                    return "a gate marks the pod and suspends its Job, and nothing else";
                }

                var expected = Gate(ns, pod, proposalId, []);
                return PodProblem(steps[0].Patch, gate: true)
                    ?? (JsonNode.DeepEquals(steps[1].Patch, expected[1].Patch) ? null : $"a gate may only suspend the Job and label it {GateKey}={GateId(proposalId)}");
            case ActionPlanner.ReleaseAction:
                if (shape != "GatedJob,Pod")
                {
                    return "a release resumes the gated Job and unmarks the pod, and nothing else";
                }

                var gate = steps[0].Name;
                if (!proposalId.StartsWith(ReleaseId(gate), StringComparison.Ordinal))
                {
                    return $"it lifts gate {gate}, which is not the gate this release was made for";
                }

                var by = steps[1].Patch["metadata"]?["annotations"]?[ReleasedByKey] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (by is null || by.Length > MaxValue || by.Any(char.IsControl))
                {
                    return $"a release must say who released it in {ReleasedByKey}, in at most {MaxValue} plain characters";
                }

                var release = Release(ns, pod, gate, by);
                return JsonNode.DeepEquals(steps[0].Patch, release[0].Patch) && JsonNode.DeepEquals(steps[1].Patch, release[1].Patch)
                    ? null
                    : "a release may only resume the Job, remove the gate's label and mark, and say who released it";
            default:
                return shape != "Pod" ? $"{Identifiers.Echo(action)} may only annotate the pod (it may not suspend or resume a Job)" : PodProblem(steps[0].Patch, gate: false);
        }
    }

    /// <summary>An annotation or gate may set only vgac's tier annotations (and, for a gate, its mark), as short plain strings.</summary>
    private static string? PodProblem(JsonObject patch, bool gate)
    {
        if (patch.Count != 1 || patch["metadata"] is not JsonObject metadata || metadata.Count != 1 || metadata["annotations"] is not JsonObject annotations)
        {
            return "a pod patch may only set annotations";
        }

        foreach (var (key, value) in annotations)
        {
            var allowed = TierKeys.Contains(key, StringComparer.Ordinal) || (gate && key == GateKey);
            if (!allowed)
            {
                return $"annotation {Identifiers.Echo(key)} is not one vgac sets{(key == GateKey ? " (only a gate marks the pod)" : "")}";
            }

            if (value is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length > MaxValue || text.Any(char.IsControl))
            {
                return $"annotation {key} must be a plain string of at most {MaxValue} characters";
            }
        }

        return gate && annotations[GateKey]?.GetValue<string>() != GateValue ? $"a gate marks the pod {GateKey}={GateValue}" : null;
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static JsonObject Annotations(IEnumerable<(string Key, string? Value)> annotations)
    {
        var values = new JsonObject();
        foreach (var (key, value) in annotations)
        {
            values[key] = value;
        }

        return new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = values } };
    }

    /// <summary>One shell-quoted word starting at <paramref name="at"/> (<c>'…'</c>, a quote inside written <c>'\''</c>), and where it ends.</summary>
    private static (string Text, int End)? Unquote(string line, int at)
    {
        if (at >= line.Length || line[at] != '\'')
        {
            return null;
        }

        var text = new StringBuilder();
        for (var i = at + 1; i < line.Length; i++)
        {
            if (line[i] != '\'')
            {
                text.Append(line[i]);
            }
            else if (string.CompareOrdinal(line, i, "'\\''", 0, 4) == 0)
            {
                text.Append('\'');
                i += 3;
            }
            else
            {
                return (text.ToString(), i + 1);
            }
        }

        return null;
    }

    [GeneratedRegex("""\Gkubectl -n (?<ns>[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?) patch (pod (?<pod>[a-z0-9][-a-z0-9.]{0,252})|job "\$\(kubectl -n \k<ns> get pod (?<owned>[a-z0-9][-a-z0-9.]{0,252}) -o jsonpath='\{\.metadata\.ownerReferences\[\?\(@\.kind=="Job"\)\]\.name\}'\)"|"\$\(kubectl -n \k<ns> get jobs -l vgac\.io/gate=(?<gate>prop-[0-9a-f]{10}) -o name\)") --type merge -p (?=')""", RegexOptions.CultureInvariant)]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"\G( && | ; )", RegexOptions.CultureInvariant)]
    private static partial Regex Separator();

    [GeneratedRegex("^prop-[0-9a-f]{10}$", RegexOptions.CultureInvariant)]
    private static partial Regex GateIdPattern();
}
