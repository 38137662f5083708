using Vgac.Copilot.Core.Observation;

namespace Vgac.Copilot.Tools.Results;

public sealed record ClusterResult(string ClusterId, string Scheduler, int NodesReady, int NodesTotal, int GpusTotal, int GpusAvailable, double GpuUtilization, int JobsPending, int JobsRunning, int QueueDepth);

public sealed record NodeBrief(string Name, string Status, string? GpuType, int Gpus, int GpusAllocated, int GpusAvailable, string? Pool);

public sealed record NodesResult(IReadOnlyList<NodeBrief> Nodes, int Total, int Omitted, IReadOnlyDictionary<string, int> ByStatus);

public sealed record SlurmPartitionBrief(string Name, string State, int Nodes, int NodesIdle, int NodesDown, int Gpus, int GpusAllocated, int JobsPending, int JobsRunning);

public sealed record SlurmStatusResult(string ClusterName, string Controller, IReadOnlyList<SlurmPartitionBrief> Partitions);

public sealed record SlurmJobBrief(string JobId, string? Name, string? User, string Partition, string State, string? Reason, int Gpus, int Priority, int? TimeLimitMinutes);

public sealed record SlurmQueueResult(IReadOnlyList<SlurmJobBrief> Jobs, int Total, int Omitted);

public sealed record ForecastPoint(double HoursAhead, double GpusAvailableExpected, double JobsPendingExpected, int JobsFinishing);

public sealed record ForecastResult(string Method, IReadOnlyList<ForecastPoint> Points);

public sealed record AnomaliesResult(IReadOnlyList<Finding> Findings, int Checked);
