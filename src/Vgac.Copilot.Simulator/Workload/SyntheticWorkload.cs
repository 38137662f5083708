using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Workload;

/// <summary>
/// The built-in workload, deterministic for a seed: arrivals with a daily peak (early afternoon) and a quiet
/// night, occasional bursts from one user, a GPU-count mix dominated by 1-GPU jobs with a tail of 2, 4 and 8,
/// log-normal runtimes with a heavy tail, several teams, queues and users, a few failures and impatient users.
/// Tuned so the default 104-GPU cluster is saturated at the daily peak and queues build.
/// </summary>
internal static class SyntheticWorkload
{
    private static readonly (string Namespace, string[] Users)[] Teams =
    [
        ("ml-research", ["ana", "bo", "chen", "dara"]),
        ("ml-prod", ["svc-train", "svc-eval"]),
        ("cv-team", ["eli", "fay"]),
        ("nlp-team", ["gus", "hana", "ivo"]),
        ("default", ["jo"]),
    ];

    private static readonly (int Gpus, double Weight)[] GpuMix = [(0, 0.04), (1, 0.58), (2, 0.15), (4, 0.14), (8, 0.09)];

    private static readonly (string Reason, double Weight)[] FailureReasons =
        [("OOMKilled", 0.45), ("NCCLTimeout", 0.2), ("ImagePullBackOff", 0.15), ("Error: exit code 1", 0.2)];

    public static IEnumerable<JobRequest> Generate(int seed, double arrivalsPerHour, bool numericIds = false)
    {
        var random = new Random(seed);
        var peakRate = arrivalsPerHour * 1.8 / 3600; // the profile's maximum, for thinning
        var t = 0.0;
        var id = 0;
        while (true)
        {
            // Non-homogeneous Poisson arrivals by thinning.
            t += -Math.Log(1 - random.NextDouble()) / peakRate;
            if (random.NextDouble() > Profile(t) / 1.8)
            {
                continue;
            }

            var team = Teams[random.Next(Teams.Length)];
            var user = team.Users[random.Next(team.Users.Length)];
            if (random.NextDouble() < 0.03)
            {
                // A burst: one user submits a sweep of similar jobs within a few minutes.
                var size = random.Next(6, 20);
                var gpus = Pick(random, GpuMix);
                for (var k = 0; k < size; k++)
                {
                    t += random.NextDouble() * 20;
                    yield return Job(random, ++id, t, team.Namespace, user, gpus, $"sweep-{id}-{k}", numericIds);
                }

                continue;
            }

            yield return Job(random, ++id, t, team.Namespace, user, Pick(random, GpuMix), null, numericIds);
        }
    }

    /// <summary>Arrival rate relative to the mean: ~0.3 at 04:00, ~1.8 at 14:00, lower at weekends.</summary>
    internal static double Profile(double seconds)
    {
        var hour = seconds / 3600 % 24;
        var day = (int)(seconds / 86400) % 7;
        var daily = 1.05 + 0.75 * Math.Sin((hour - 8) / 24 * 2 * Math.PI);
        return Math.Clamp(day >= 5 ? daily * 0.6 : daily, 0.1, 1.8);
    }

    private static JobRequest Job(Random random, int id, double submitAt, string ns, string user, int gpus, string? name, bool numericIds)
    {
        var priority = ns == "ml-prod" ? 10 : random.NextDouble() < 0.2 ? 5 : 0;
        var queue = priority >= 10 ? "gpu-high" : priority >= 5 ? "gpu-default" : "gpu-low";
        // Log-normal runtime (median ~25 min), bigger jobs run longer, capped at 36 h.
        var runtime = Math.Min(36 * 3600, Math.Exp(Math.Log(1500) + 1.25 * Normal(random)) * (1 + gpus / 8.0));
        runtime = Math.Max(runtime, 30);
        var outcome = JobOutcome.Succeed;
        string? reason = null;
        var roll = random.NextDouble();
        if (roll < 0.07)
        {
            outcome = JobOutcome.Fail;
            reason = Pick(random, FailureReasons);
            if (gpus >= 4 && roll < 0.03)
            {
                reason = "NCCLTimeout";
            }

            runtime = reason == "ImagePullBackOff" ? 20 : runtime * random.NextDouble();
        }

        var gpuType = gpus == 0 ? null : random.NextDouble() switch
        {
            < 0.25 => "A100",
            < 0.32 => "V100",
            _ => null,
        };
        if (gpus == 8)
        {
            gpuType = "A100"; // only A100 nodes have 8 GPUs
        }

        return new JobRequest
        {
            // Slurm numbers its jobs; Kubernetes names them.
            Id = numericIds ? (100000 + id).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"job-{id:D6}",
            Name = name ?? $"{ns.Split('-')[0]}-{(gpus >= 4 ? "train" : gpus == 0 ? "prep" : "exp")}-{id}",
            User = user,
            Namespace = ns,
            Queue = queue,
            Gpus = gpus,
            GpuType = gpuType,
            Cpu = Math.Max(1, gpus) * 8000,
            MemoryGb = Math.Max(1, gpus) * 32 * (random.NextDouble() < 0.2 ? 2 : 1),
            Priority = priority,
            SubmitAt = submitAt,
            RuntimeSeconds = runtime,
            // Users over-estimate: between the runtime and three times it.
            RequestedSeconds = runtime * (1 + 2 * random.NextDouble()),
            Outcome = outcome,
            FailureReason = reason,
            PatienceSeconds = random.NextDouble() < 0.05 ? 1800 + random.NextDouble() * 7200 : null,
            IsDistributed = gpus == 8 && random.NextDouble() < 0.5,
        };
    }

    private static T Pick<T>(Random random, (T Value, double Weight)[] choices)
    {
        var roll = random.NextDouble() * choices.Sum(c => c.Weight);
        foreach (var (value, weight) in choices)
        {
            roll -= weight;
            if (roll <= 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
