using System.Globalization;
using System.IO.Compression;
using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Workload;

/// <summary>Opens a trace file in one of the three supported formats.</summary>
internal static class TraceReaders
{
    public static Workload Open(string path, string format, string timing, int seed)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new TraceFormatException(path, 0, "", "file not found");
        }

        var recorded = timing switch
        {
            "recorded" => true,
            "simulate" => false,
            _ => throw new TraceFormatException(path, 0, "", $"--trace-timing must be 'simulate' or 'recorded', got '{Cut(timing)}'"),
        };

        var resolved = format == "auto" ? Detect(path) : format;
        return resolved switch
        {
            "alibaba" => AlibabaTrace.Open(path, recorded),
            "slurm-dataset" => SlurmDatasetTrace.Open(path, recorded, seed),
            "swf" => SwfTrace.Open(path, recorded),
            _ => throw new TraceFormatException(path, 0, "", $"unknown trace format '{Cut(format)}'; expected auto, alibaba, slurm-dataset or swf"),
        };
    }

    /// <summary>
    /// The format from the file's content, not its name: gzip or SWF comment/number lines are SWF; a CSV header with
    /// the Alibaba pod list's columns, or the VGAC Slurm dataset's, names those.
    /// </summary>
    internal static string Detect(string path)
    {
        string first;
        using (var stream = System.IO.File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[2];
            if (stream.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                return "swf";
            }

            stream.Position = 0;
            using var reader = new StreamReader(stream);
            var buffer = new char[4096];
            var read = reader.ReadBlock(buffer);
            first = new string(buffer, 0, read).Split('\n')[0].Trim();
        }

        string[] columns = [.. first.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant())];
        return first.StartsWith(';') || (first.Length > 0 && first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).All(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) ? "swf"
            : columns.Contains("creation_time") && columns.Contains("num_gpu") ? "alibaba"
            : columns.Contains("submit_epoch_ms") && columns.Contains("wait_seconds") ? "slurm-dataset"
            : throw new TraceFormatException(path, 0, "", "cannot tell the trace format from its content: expected SWF (plain or gzip), an Alibaba GPU pod list CSV or the VGAC Slurm dataset CSV; set --trace-format if it is one of them");
    }

    private static string Cut(string value) => value.Length <= 40 ? value : value[..40] + "...";
}

/// <summary>
/// Alibaba GPU v2023 pod list (<c>openb_pod_list_default.csv</c>); nodes from <c>openb_node_list_gpu_node.csv</c>
/// beside it when present. Times are seconds from the trace start. Pods never scheduled are censored.
/// </summary>
internal static class AlibabaTrace
{
    public static Workload Open(string path, bool recorded)
    {
        var nodeFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "openb_node_list_gpu_node.csv");
        var nodes = System.IO.File.Exists(nodeFile)
            ? CsvTable.Read(nodeFile, "sn", "gpu", "model", "cpu_milli", "memory_mib")
                .Select(r => new SimNode(r.Text("sn"), r.Text("model"), r.Text("model"), (int)r.Number("gpu"), r.Number("cpu_milli"), r.Number("memory_mib") / 1024))
                .ToList()
            : ClusterLayouts.Uniform(800, 8, "GPU", "gpu");
        return new Workload($"alibaba:{path}", Jobs(path), nodes, recorded);
    }

    private static IEnumerable<JobRequest> Jobs(string path)
    {
        foreach (var row in CsvTable.Read(path, "name", "cpu_milli", "memory_mib", "num_gpu", "gpu_spec", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time"))
        {
            var created = row.Number("creation_time");
            var scheduled = row.OptionalNumber("scheduled_time");
            var deleted = row.OptionalNumber("deletion_time");
            var phase = row.Text("pod_phase");
            var gpus = (int)row.Number("num_gpu");
            if (gpus is < 0 or > 64)
            {
                throw new TraceFormatException(path, row.Line, "num_gpu", $"expected 0-64 GPUs, found {gpus}");
            }

            var neverScheduled = phase == "Pending" || scheduled is null;
            var start = scheduled ?? created;
            var runtime = Math.Max(1, (deleted ?? start + 3600) - start);
            yield return new JobRequest
            {
                Id = row.Text("name"),
                Name = row.Text("name"),
                Namespace = "openb",
                Queue = row.Text("qos"),
                Gpus = gpus,
                GpuType = row.Text("gpu_spec") is { Length: > 0 } spec ? spec.Split('|')[0] : null,
                Cpu = row.Number("cpu_milli"),
                MemoryGb = row.Number("memory_mib") / 1024,
                Priority = row.Text("qos") switch { "LS" => 10, "Burstable" => 5, _ => 0 },
                SubmitAt = created,
                RuntimeSeconds = runtime,
                RequestedSeconds = runtime,
                Outcome = phase == "Failed" ? JobOutcome.Fail : neverScheduled ? JobOutcome.Cancel : JobOutcome.Succeed,
                FailureReason = phase == "Failed" ? "Failed (trace)" : null,
                PatienceSeconds = neverScheduled ? Math.Max(1, (deleted ?? created + 86400) - created) : null,
                RecordedWaitSeconds = neverScheduled ? null : Math.Max(0, start - created),
            };
        }
    }
}

/// <summary>
/// The VGAC Slurm dataset (<c>slurm_training_dataset.csv</c>): submit and start times in epoch ms on a
/// 10-node, 1-GPU-per-node ParallelCluster. It records no runtimes, so each job's runtime is drawn (seeded)
/// from its <c>job_type</c>: burst ~30 s, short ~2 min, medium ~10 min, memheavy ~15 min, long ~1 h.
/// </summary>
internal static class SlurmDatasetTrace
{
    public static Workload Open(string path, bool recorded, int seed)
    {
        var random = new Random(seed);
        var rows = CsvTable.Read(path, "job_id", "submit_epoch_ms", "start_epoch_ms", "wait_seconds", "job_type")
            .Select(r => (Row: r, Submit: r.Number("submit_epoch_ms"), Start: r.Number("start_epoch_ms"), Type: r.Text("job_type")))
            .ToList();
        rows.Sort((a, b) => a.Submit.CompareTo(b.Submit));
        var origin = rows.Count > 0 ? rows[0].Submit : 0;
        var jobs = rows.Select(r =>
        {
            var typical = r.Type switch { "burst" => 30, "short" => 120, "medium" => 600, "memheavy" => 900, "long" => 3600, _ => 300 };
            var runtime = typical * (0.5 + random.NextDouble());
            return new JobRequest
            {
                Id = r.Row.Text("job_id"),
                Name = $"slurm-{(r.Type.Length > 0 ? r.Type : "job")}-{r.Row.Text("job_id")}",
                Namespace = "slurm",
                Queue = "gpu",
                Gpus = 1,
                GpuType = "T4",
                MemoryGb = r.Type == "memheavy" ? 14 : 4,
                SubmitAt = (r.Submit - origin) / 1000,
                RuntimeSeconds = runtime,
                RequestedSeconds = typical * 2,
                RecordedWaitSeconds = Math.Max(0, (r.Start - r.Submit) / 1000),
            };
        }).ToList();
        return new Workload($"slurm-dataset:{path}", jobs, ClusterLayouts.Uniform(10, 1, "T4", "gpu"), recorded);
    }
}

/// <summary>
/// The Parallel Workloads Archive's Standard Workload Format (plain or gzip), streamed line by line. The
/// cluster is sized from the <c>MaxNodes</c>/<c>MaxProcs</c> header; processors are the scheduled unit.
/// </summary>
internal static class SwfTrace
{
    public static Workload Open(string path, bool recorded)
    {
        var (nodes, procs) = ReadHeader(path);
        var perNode = Math.Max(1, procs / Math.Max(1, nodes));
        return new Workload($"swf:{path}", Jobs(path), ClusterLayouts.Uniform(nodes, perNode, "cpu", "batch"), recorded);
    }

    private static TextReader OpenText(string path)
    {
        Stream stream = System.IO.File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return new StreamReader(stream);
    }

    private static (int Nodes, int Procs) ReadHeader(string path)
    {
        int nodes = 0, procs = 0;
        using var reader = OpenText(path);
        while (reader.ReadLine() is { } line && line.StartsWith(';'))
        {
            var parts = line.TrimStart(';', ' ').Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
            {
                if (parts[0] == "MaxNodes")
                {
                    nodes = value;
                }
                else if (parts[0] == "MaxProcs")
                {
                    procs = value;
                }
            }
        }

        return (nodes > 0 ? nodes : 128, procs > 0 ? procs : Math.Max(nodes, 128) * 8);
    }

    private static readonly string[] Fields =
        ["job number", "submit time", "wait time", "run time", "allocated processors", "average cpu time", "used memory",
         "requested processors", "requested time", "requested memory", "status", "user id", "group id", "executable",
         "queue number", "partition number", "preceding job", "think time"];

    private static IEnumerable<JobRequest> Jobs(string path)
    {
        using var reader = OpenText(path);
        long number = 0;
        var values = new double[Fields.Length];
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line.StartsWith(';'))
            {
                continue;
            }

            var cells = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length < Fields.Length)
            {
                throw new TraceFormatException(path, number, Fields[Math.Min(cells.Length, Fields.Length - 1)], $"expected {Fields.Length} fields, found {cells.Length}");
            }

            for (var i = 0; i < Fields.Length; i++)
            {
                if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw new TraceFormatException(path, number, Fields[i], $"expected a number, found '{cells[i]}'");
                }
            }

            var procs = (int)(values[4] > 0 ? values[4] : values[7]);
            var wait = values[2];
            var runtime = values[3];
            var status = (int)values[10];
            var cancelledWhilePending = runtime <= 0;
            yield return new JobRequest
            {
                Id = $"swf-{(long)values[0]}",
                User = $"user{(long)values[11]}",
                Namespace = $"group{(long)values[12]}",
                Queue = $"q{(long)values[14]}",
                Gpus = Math.Max(1, procs),
                SubmitAt = values[1],
                RuntimeSeconds = Math.Max(1, runtime),
                RequestedSeconds = values[8] > 0 ? values[8] : Math.Max(1, runtime),
                Outcome = cancelledWhilePending || status == 5 ? JobOutcome.Cancel : status == 0 ? JobOutcome.Fail : JobOutcome.Succeed,
                FailureReason = status == 0 ? "Failed (trace status 0)" : null,
                PatienceSeconds = cancelledWhilePending ? Math.Max(0, wait) : null,
                RecordedWaitSeconds = cancelledWhilePending || wait < 0 ? null : wait,
                IsDistributed = procs > 8,
            };
        }
    }
}
