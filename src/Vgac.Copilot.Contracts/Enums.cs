using System.Text.Json.Serialization;

namespace Vgac.Copilot.Contracts;

/// <summary>Job lifecycle state (<c>src/api/routers/jobs.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>Kind of work a job does (<c>src/api/routers/jobs.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobType>))]
public enum JobType
{
    [JsonStringEnumMemberName("gpu")] Gpu,
    [JsonStringEnumMemberName("cpu")] Cpu,
    [JsonStringEnumMemberName("mixed")] Mixed,
}

/// <summary>Scheduler behind a cluster (<c>src/api/routers/cluster.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SchedulerType>))]
public enum SchedulerType
{
    [JsonStringEnumMemberName("kubernetes")] Kubernetes,
    [JsonStringEnumMemberName("slurm")] Slurm,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>Node readiness (<c>src/api/routers/cluster.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodeStatus>))]
public enum NodeStatus
{
    [JsonStringEnumMemberName("ready")] Ready,
    [JsonStringEnumMemberName("not_ready")] NotReady,
    [JsonStringEnumMemberName("schedulable")] Schedulable,
    [JsonStringEnumMemberName("cordoned")] Cordoned,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>Priority classes of VGAC's policy generator (<c>src/policy/generator.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PriorityClass>))]
public enum PriorityClass
{
    [JsonStringEnumMemberName("critical")] Critical,
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("best_effort")] BestEffort,
}

/// <summary>Preemption policies of VGAC's policy generator (<c>src/policy/generator.py</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PreemptionPolicy>))]
public enum PreemptionPolicy
{
    [JsonStringEnumMemberName("never")] Never,
    [JsonStringEnumMemberName("reluctant")] Reluctant,
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("eager")] Eager,
    [JsonStringEnumMemberName("immediate")] Immediate,
}
