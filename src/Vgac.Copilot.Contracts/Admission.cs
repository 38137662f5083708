using System.Text.Json.Serialization;

namespace Vgac.Copilot.Contracts;

/// <summary>
/// Body and response of <c>POST /api/predict/webhook</c>: a Kubernetes <c>admission.k8s.io/v1</c> AdmissionReview,
/// trimmed to the fields a GPU admission decision needs. Kubernetes spells these in camelCase, so they keep it.
/// </summary>
public sealed record AdmissionReview
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "admission.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AdmissionReview";

    [JsonPropertyName("request")]
    public AdmissionRequest? Request { get; init; }

    [JsonPropertyName("response")]
    public AdmissionResponse? Response { get; init; }
}

public sealed record AdmissionRequest
{
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("operation")]
    public string Operation { get; set; } = "CREATE";

    [JsonPropertyName("object")]
    public required PodObject Object { get; init; }
}

public sealed record PodObject
{
    [JsonPropertyName("metadata")]
    public PodMetadata Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PodSpecification Spec { get; set; } = new();
}

public sealed record PodMetadata
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record PodSpecification
{
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    [JsonPropertyName("containers")]
    public IReadOnlyList<PodContainer> Containers { get; set; } = [];
}

public sealed record PodContainer
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("resources")]
    public ContainerResources Resources { get; set; } = new();
}

public sealed record ContainerResources
{
    /// <summary>Quantities as Kubernetes writes them: <c>"500m"</c>, <c>"16Gi"</c>, <c>"nvidia.com/gpu": "4"</c>.</summary>
    [JsonPropertyName("requests")]
    public IReadOnlyDictionary<string, string>? Requests { get; init; }

    [JsonPropertyName("limits")]
    public IReadOnlyDictionary<string, string>? Limits { get; init; }
}

public sealed record AdmissionResponse
{
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    [JsonPropertyName("allowed")]
    public required bool Allowed { get; init; }

    [JsonPropertyName("status")]
    public AdmissionStatus? Status { get; init; }

    [JsonPropertyName("warnings")]
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary><c>JSONPatch</c> when <see cref="Patch"/> is set.</summary>
    [JsonPropertyName("patchType")]
    public string? PatchType { get; init; }

    /// <summary>Base64 of a JSON Patch that adds the <c>vgac.io/…</c> risk annotations.</summary>
    [JsonPropertyName("patch")]
    public string? Patch { get; init; }
}

public sealed record AdmissionStatus
{
    [JsonPropertyName("code")]
    public int? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
