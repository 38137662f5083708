using System.Text.Json.Serialization;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Jobs;

/// <summary>
/// A job to predict for, as people and tools write it: the one set of names and units used by the <c>predict</c>
/// flags, <c>--what-if</c>, <c>--batch</c> JSONL and every tool argument. <see cref="JobSpecSchema"/> lists its
/// fields (a test holds the two together); <see cref="ToContract"/> maps it onto VGAC's own names (<c>cpu</c>, <c>is_distributed</c>, ...).
/// Only <see cref="Gpus"/> is required; every field has a setter (not <c>init</c>), so that every deserializer keeps
/// the defaults of the fields left out and the schema can set one field of a copy.
/// </summary>
public sealed record JobSpecInput
{
    [JsonPropertyName("gpus")]
    public required int Gpus { get; set; }

    [JsonPropertyName("cpu_millicores")]
    public double CpuMillicores { get; set; } = 1000;

    [JsonPropertyName("memory_gb")]
    public double MemoryGb { get; set; } = 1;

    [JsonPropertyName("priority")]
    public int Priority { get; set; }

    [JsonPropertyName("namespace")]
    public string Namespace { get; set; } = "default";

    [JsonPropertyName("queue")]
    public string? Queue { get; set; }

    [JsonPropertyName("gpu_type")]
    public string? GpuType { get; set; }

    [JsonPropertyName("distributed")]
    public bool Distributed { get; set; }

    [JsonPropertyName("duration_minutes")]
    public int? DurationMinutes { get; set; }

    /// <summary>The same job in VGAC's contract names and shapes.</summary>
    public JobSpec ToContract() => new()
    {
        Gpus = Gpus,
        Cpu = CpuMillicores,
        MemoryGb = MemoryGb,
        Priority = Priority,
        Namespace = string.IsNullOrWhiteSpace(Namespace) ? "default" : Namespace,
        Queue = string.IsNullOrWhiteSpace(Queue) ? null : Queue,
        GpuType = string.IsNullOrWhiteSpace(GpuType) ? null : GpuType,
        IsDistributed = Distributed,
        EstimatedDurationMinutes = DurationMinutes,
    };

    public static JobSpecInput From(JobSpec spec) => new()
    {
        Gpus = spec.Gpus,
        CpuMillicores = spec.Cpu,
        MemoryGb = spec.MemoryGb,
        Priority = spec.Priority,
        Namespace = spec.Namespace,
        Queue = spec.Queue,
        GpuType = spec.GpuType,
        Distributed = spec.IsDistributed,
        DurationMinutes = spec.EstimatedDurationMinutes,
    };

    /// <summary>What each field means, written once: the flags' help and the tools' parameter descriptions use these.</summary>
    public static class Docs
    {
        public const string Gpus = "GPUs requested.";
        public const string CpuMillicores = "CPU millicores.";
        public const string MemoryGb = "Memory in GB.";
        public const string Priority = "Job priority.";
        public const string Namespace = "Namespace or Slurm account.";
        public const string Queue = "Queue or partition.";
        public const string GpuType = "GPU type, e.g. A100.";
        public const string Distributed = "Multi-node job.";
        public const string DurationMinutes = "Expected runtime, minutes.";
    }
}
