using System.Globalization;
using System.Text.Json.Nodes;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Jobs;

/// <summary>
/// One workload read from a Kubernetes manifest: its kind and name, and the job spec it asks for, or why none could
/// be made (a kind vgac does not read, no GPU asked for).
/// </summary>
public sealed record Workload(string Kind, string Name, JobSpecInput? Spec, string? Problem)
{
    /// <summary><c>Kind/name</c>, as kubectl names an object.</summary>
    public string Label => $"{Kind}/{Name}";
}

/// <summary>
/// Kubernetes workloads as job specs: a Pod, Job, Deployment, StatefulSet, PyTorchJob, RayJob or JobSet (one manifest
/// or a multi-document stream, YAML or JSON). GPUs are each pod's <c>nvidia.com/gpu</c> or <c>amd.com/gpu</c> limits
/// (requests where no limit is given) times its replicas or parallelism; the namespace, the GPU type from a GPU node
/// selector, the Kueue queue, <c>activeDeadlineSeconds</c> and the first GPU pod's CPU and memory requests complete the
/// spec. Everything read is untrusted: values that are not what the schema expects are left out or reported, never
/// passed on raw.
/// </summary>
public static class WorkloadManifest
{
    /// <summary>Largest manifest read (a handful of workloads is a few kilobytes).</summary>
    public const int MaxChars = 1024 * 1024;

    private static readonly string[] GpuResources = ["nvidia.com/gpu", "amd.com/gpu"];

    /// <summary>Node-selector keys that name a GPU model (GPU feature discovery, GKE, Karpenter, the common label).</summary>
    private static readonly string[] GpuTypeKeys = ["nvidia.com/gpu.product", "cloud.google.com/gke-accelerator", "karpenter.k8s.aws/instance-gpu-name", "accelerator", "gpu-type"];

    /// <summary>GPU models as VGAC names them, found inside a selector's value (<c>NVIDIA-A100-SXM4-80GB</c> is A100).</summary>
    private static readonly string[] KnownGpuTypes = ["GH200", "H200", "H100", "A100", "A10G", "L40S", "L40", "L4", "V100", "T4", "MI300", "MI250"];

    /// <summary>Every workload in <paramref name="text"/>, in order; a document that is no workload vgac reads is one with its problem.</summary>
    /// <exception cref="JobSpecException">The text is not YAML or JSON, or is larger than <see cref="MaxChars"/>.</exception>
    public static IReadOnlyList<Workload> Read(string text, string? defaultNamespace = null)
    {
        if (text.Length > MaxChars)
        {
            throw new JobSpecException($"the manifest is larger than {MaxChars / 1024} KB; give one workload or a few.");
        }

        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = YamlJson.ReadAll(text);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new JobSpecException($"the manifest is not valid YAML (line {ex.Start.Line}): {UntrustedText.Clean(ex.Message, 200)}");
        }

        var workloads = new List<Workload>();
        foreach (var document in documents.OfType<JsonObject>())
        {
            // A List (kubectl get -o yaml) holds its objects in items.
            IEnumerable<JsonObject> objects = Text(document, "kind") == "List" && document["items"] is JsonArray items ? items.OfType<JsonObject>() : [document];
            workloads.AddRange(objects.Select(o => FromObject(o, defaultNamespace)));
        }

        return workloads;
    }

    /// <summary>One Kubernetes object as a workload (the admission webhook's object, or a manifest's document).</summary>
    public static Workload FromObject(JsonObject o, string? defaultNamespace = null)
    {
        var kind = Name(Text(o, "kind")) ?? "Unknown";
        var name = Name(Text(o["metadata"], "name")) ?? Name(Text(o["metadata"], "generateName")) ?? "(unnamed)";
        var spec = o["spec"];
        IReadOnlyList<(long Count, JsonNode? Pod)>? groups = kind switch
        {
            "Pod" => [(1, spec)],
            "Job" => [(Whole(spec?["parallelism"]) ?? 1, spec?["template"]?["spec"])],
            "Deployment" or "StatefulSet" or "ReplicaSet" => [(Whole(spec?["replicas"]) ?? 1, spec?["template"]?["spec"])],
            "PyTorchJob" => [.. (spec?["pytorchReplicaSpecs"] as JsonObject ?? []).Select(r => (Whole(r.Value?["replicas"]) ?? 1, r.Value?["template"]?["spec"]))],
            "RayJob" or "RayCluster" => RayGroups(kind == "RayJob" ? spec?["rayClusterSpec"] : spec),
            "JobSet" => [.. (spec?["replicatedJobs"] as JsonArray ?? []).Select(j => (
                (Whole(j?["replicas"]) ?? 1) * (Whole(j?["template"]?["spec"]?["parallelism"]) ?? 1), j?["template"]?["spec"]?["template"]?["spec"]))],
            _ => null,
        };
        if (groups is null)
        {
            return new Workload(kind, name, null, $"a {kind} is not a workload vgac reads (Pod, Job, Deployment, StatefulSet, PyTorchJob, RayJob, JobSet)");
        }

        var gpuPods = groups.Where(g => g.Count > 0 && Gpus(g.Pod) > 0).ToList();
        var gpus = gpuPods.Sum(g => g.Count * Gpus(g.Pod));
        if (gpus == 0)
        {
            return new Workload(kind, name, null, "asks for no GPU (no nvidia.com/gpu or amd.com/gpu limit)");
        }

        if (gpus > 100_000)
        {
            return new Workload(kind, name, null, string.Create(CultureInfo.InvariantCulture, $"asks for {gpus} GPUs, more than any cluster has"));
        }

        var first = gpuPods[0].Pod;
        var metadata = o["metadata"];
        var input = new JobSpecInput
        {
            Gpus = (int)gpus,
            Namespace = Name(Text(metadata, "namespace")) ?? Name(defaultNamespace) ?? "default",
            Distributed = gpuPods.Sum(g => g.Count) > 1,
            GpuType = GpuType(first?["nodeSelector"] as JsonObject),
            Queue = Name(Text(metadata?["labels"], "kueue.x-k8s.io/queue-name")),
            DurationMinutes = (Whole(spec?["activeDeadlineSeconds"]) ?? Whole(first?["activeDeadlineSeconds"])) is { } seconds and > 0 and < 366L * 24 * 3600
                ? (int)Math.Ceiling(seconds / 60.0) : null,
        };
        if (Requests(first, "cpu") is { } cpu)
        {
            input.CpuMillicores = cpu;
        }

        if (Requests(first, "memory") is { } memory)
        {
            input.MemoryGb = Math.Round(memory / (1024.0 * 1024 * 1024), 2);
        }

        return new Workload(kind, name, input, null);
    }

    private static List<(long, JsonNode?)> RayGroups(JsonNode? cluster)
    {
        var groups = new List<(long, JsonNode?)> { (1, cluster?["headGroupSpec"]?["template"]?["spec"]) };
        groups.AddRange((cluster?["workerGroupSpecs"] as JsonArray ?? []).Select(w => (Whole(w?["replicas"]) ?? Whole(w?["minReplicas"]) ?? 1, w?["template"]?["spec"])));
        return groups;
    }

    /// <summary>A pod's GPUs: its containers' GPU limits (or requests) added up; init containers run one at a time, so the largest of them.</summary>
    private static long Gpus(JsonNode? pod)
    {
        long Of(JsonNode? container) => GpuResources.Sum(r => Quantity(container?["resources"]?["limits"]?[r]) ?? Quantity(container?["resources"]?["requests"]?[r]) ?? 0) is var n && n > 0 ? (long)n : 0;
        var main = (pod?["containers"] as JsonArray ?? []).Sum(Of);
        var init = (pod?["initContainers"] as JsonArray ?? []).Select(Of).DefaultIfEmpty(0).Max();
        return Math.Max(main, init);
    }

    /// <summary>The sum of the containers' requests for a resource (limits where no request is given), in cores×1000 or bytes.</summary>
    private static double? Requests(JsonNode? pod, string resource)
    {
        double total = 0;
        var any = false;
        foreach (var container in pod?["containers"] as JsonArray ?? [])
        {
            if ((Quantity(container?["resources"]?["requests"]?[resource]) ?? Quantity(container?["resources"]?["limits"]?[resource])) is { } q)
            {
                total += resource == "cpu" ? q * 1000 : q;
                any = true;
            }
        }

        return any && total > 0 && double.IsFinite(total) ? total : null;
    }

    /// <summary>A Kubernetes quantity (<c>2</c>, <c>500m</c>, <c>16Gi</c>, <c>8G</c>) as a number; null when it is not one.</summary>
    internal static double? Quantity(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue(out long whole))
        {
            return whole;
        }

        if (value.TryGetValue(out double number))
        {
            return double.IsFinite(number) ? number : null;
        }

        if (!value.TryGetValue(out string? text) || text is not { Length: > 0 and <= 32 })
        {
            return null;
        }

        (string Suffix, double Factor)[] suffixes =
        [
            ("Ki", 1024), ("Mi", 1024.0 * 1024), ("Gi", 1024.0 * 1024 * 1024), ("Ti", 1024.0 * 1024 * 1024 * 1024),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("m", 1e-3),
        ];
        var (digits, factor) = suffixes.FirstOrDefault(s => text.EndsWith(s.Suffix, StringComparison.Ordinal)) is { Suffix: not null } found
            ? (text[..^found.Suffix.Length], found.Factor)
            : (text, 1.0);
        return double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n * factor) ? n * factor : null;
    }

    private static string? GpuType(JsonObject? selector)
    {
        foreach (var key in GpuTypeKeys)
        {
            if (Text(selector, key) is { Length: > 0 and <= 128 } value)
            {
                var upper = value.ToUpperInvariant();
                return KnownGpuTypes.FirstOrDefault(t => upper.Contains(t, StringComparison.Ordinal)) ?? Name(value);
            }
        }

        return null;
    }

    private static string? Text(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static long? Whole(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out long n) && n >= 0 && n <= 1_000_000 ? n : null;

    /// <summary>A Kubernetes name or label value vgac passes on (letters, digits, '.', '_', '-', at most 63), else null.</summary>
    private static string? Name(string? value) =>
        value is { Length: > 0 and <= 63 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? value : null;
}
