using Vgac.Copilot.Actions.Executors;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>The preview a person sees is what the Kubernetes executor sends: one writer, one strict reader.</summary>
public sealed class KubectlPatchLineTests
{
    private const string Gate = "prop-0123456789";
    private static readonly (string, string)[] Seen = [("vgac.io/probability-long-wait", "0.81"), ("vgac.io/confidence", "0.9"), ("vgac.io/tier", "4")];

    [Fact]
    public void Render_Gate_MarksThePodThenSuspendsItsOwningJob()
    {
        var preview = KubectlPatchLine.Render(KubectlPatchLine.Gate("ml", "train-x7k", Gate, Seen));

        Assert.Equal(
            "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/probability-long-wait\":\"0.81\",\"vgac.io/confidence\":\"0.9\",\"vgac.io/tier\":\"4\",\"vgac.io/gate\":\"confirmation-required\"}}}'"
            + " && kubectl -n ml patch job \"$(kubectl -n ml get pod train-x7k -o jsonpath='{.metadata.ownerReferences[?(@.kind==\"Job\")].name}')\" --type merge -p '{\"metadata\":{\"labels\":{\"vgac.io/gate\":\"prop-0123456789\"}},\"spec\":{\"suspend\":true}}'",
            preview);
    }

    [Fact]
    public void Render_Release_ResumesTheJobCarryingTheGateLabel()
    {
        var preview = KubectlPatchLine.Render(KubectlPatchLine.Release("ml", "train-x7k", $"{Gate}-c12", "ana: checked"));

        Assert.StartsWith("kubectl -n ml patch \"$(kubectl -n ml get jobs -l vgac.io/gate=prop-0123456789 -o name)\" --type merge -p '{\"metadata\":{\"labels\":{\"vgac.io/gate\":null},\"annotations\":{\"vgac.io/released-by\":\"ana: checked\"}},\"spec\":{\"suspend\":false}}' ; ", preview, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("annotate")]
    [InlineData("gate")]
    [InlineData("release")]
    public void Parse_WhatRenderWrote_GivesBackTheSamePatches(string action)
    {
        var steps = action switch
        {
            "gate" => KubectlPatchLine.Gate("ml", "train-x7k", Gate, Seen),
            "release" => KubectlPatchLine.Release("ml", "train-x7k", Gate, "it's \"quoted\" && $(not run); 100%"),
            _ => KubectlPatchLine.Annotate("ml", "train-x7k", Seen),
        };
        var id = action == "release" ? KubectlPatchLine.ReleaseId(Gate) + "-i1" : $"{Gate}-7";

        var (parsed, problem) = KubectlPatchLine.Parse(KubectlPatchLine.Render(steps), "train-x7k", action, id);

        Assert.Null(problem);
        Assert.Equal(steps.Select(s => (s.Target, s.Namespace, s.Name, s.PatchText)), parsed!.Select(s => (s.Target, s.Namespace, s.Name, s.PatchText)));
    }

    [Theory]
    [InlineData("annotate", "kubectl -n ml patch pod other --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"1\"}}}'", "names pod 'other'")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"owner\":\"x\"}}}'", "annotation 'owner' is not one vgac sets")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"1\"}},\"spec\":{\"nodeName\":\"n1\"}}'", "may only set annotations")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/gate\":\"confirmation-required\"}}}'", "only a gate marks the pod")]
    [InlineData("annotate", "kubectl -n ml delete pod train-x7k", "not a kubectl patch vgac makes")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"1\"}}}' && kubectl -n ml delete job x", "not a kubectl patch vgac makes")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"1\"}}}'; rm -rf /", "joined by && or ;")]
    [InlineData("annotate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":", "quoting is not closed")]
    [InlineData("gate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"4\",\"vgac.io/gate\":\"confirmation-required\"}}}' && kubectl -n ml patch job \"$(kubectl -n ml get pod train-x7k -o jsonpath='{.metadata.ownerReferences[?(@.kind==\"Job\")].name}')\" --type merge -p '{\"metadata\":{\"labels\":{\"vgac.io/gate\":\"prop-0123456789\"}},\"spec\":{\"suspend\":true,\"parallelism\":0}}'", "may only suspend the Job")]
    [InlineData("gate", "kubectl -n ml patch pod train-x7k --type merge -p '{\"metadata\":{\"annotations\":{\"vgac.io/tier\":\"4\"}}}'", "marks the pod and suspends its Job")]
    public void Parse_AnythingElse_IsRefusedWithWhy(string action, string preview, string why)
    {
        var (steps, problem) = KubectlPatchLine.Parse(preview, "train-x7k", action, Gate);

        Assert.Null(steps);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AnnotationWhosePreviewSuspends_IsRefused()
    {
        // A tier-1 proposal edited in the trail to carry a gate's steps: an annotation may not suspend a Job.
        var preview = KubectlPatchLine.Render(KubectlPatchLine.Gate("ml", "train-x7k", Gate, Seen));

        var (_, problem) = KubectlPatchLine.Parse(preview, "train-x7k", "annotate", Gate);

        Assert.Contains("may only annotate the pod", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReleaseOfAnotherGate_IsRefused()
    {
        var preview = KubectlPatchLine.Render(KubectlPatchLine.Release("ml", "train-x7k", "prop-9999999999", "ana"));

        var (_, problem) = KubectlPatchLine.Parse(preview, "train-x7k", "release", KubectlPatchLine.ReleaseId(Gate));

        Assert.Contains("lifts gate prop-9999999999, which is not the gate this release was made for", problem, StringComparison.Ordinal);
    }
}
