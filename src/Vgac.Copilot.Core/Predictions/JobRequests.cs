using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>The prediction request for a job VGAC already knows: its own spec and id.</summary>
public static class JobRequests
{
    public static JobPredictRequest For(JobInfo job) => new()
    {
        JobId = job.JobId,
        Gpus = job.Gpus,
        Cpu = job.Cpu > 0 ? job.Cpu : 1000,
        MemoryGb = job.MemoryGb > 0 ? job.MemoryGb : 1,
        Priority = job.Priority,
        Namespace = job.Namespace,
        Queue = job.Queue,
        GpuType = job.GpuType,
    };
}
