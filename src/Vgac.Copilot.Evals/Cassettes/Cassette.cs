using System.Text.Json;
using System.Text.Json.Nodes;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Evals.Cassettes;

/// <summary>What a cassette says about itself (<c>manifest.json</c>).</summary>
public sealed record CassetteManifest
{
    public required string Name { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>Where it was recorded from: the simulator's settings, or a VGAC URL (never a key).</summary>
    public required string Source { get; init; }

    public string? VgacVersion { get; init; }

    public string? Notes { get; init; }

    /// <summary>Endpoints that answer with an error status instead (<c>"GET /api/cluster/summary": 503</c>, or <c>"*"</c>).</summary>
    public Dictionary<string, int> Failures { get; init; } = [];
}

/// <summary>
/// A whole-API snapshot of one VGAC at one moment: a readable folder of JSON files. <c>endpoints/</c> holds one
/// file per read endpoint, <c>jobs/</c> one per job listed, <c>predictions.json</c> the grid of job specs with
/// VGAC's prediction for each, <c>job_predictions.json</c> VGAC's prediction for each pending job.
/// </summary>
public sealed class Cassette
{
    public const string ManifestFile = "manifest.json";
    public const string PredictionsFile = "predictions.json";
    public const string JobPredictionsFile = "job_predictions.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private Cassette(string folder, CassetteManifest manifest, Dictionary<string, RecordedBody> endpoints, Dictionary<string, JsonNode> jobs, List<(JobSpec Spec, JsonNode Response)> grid, Dictionary<string, JsonNode> jobPredictions)
    {
        Folder = folder;
        Manifest = manifest;
        Endpoints = endpoints;
        Jobs = jobs;
        Grid = grid;
        JobPredictions = jobPredictions;
    }

    public string Folder { get; }

    public CassetteManifest Manifest { get; }

    /// <summary>Status and body per endpoint key, <c>"GET /api/cluster/summary"</c>.</summary>
    public IReadOnlyDictionary<string, RecordedBody> Endpoints { get; }

    public IReadOnlyDictionary<string, JsonNode> Jobs { get; }

    public IReadOnlyList<(JobSpec Spec, JsonNode Response)> Grid { get; }

    public IReadOnlyDictionary<string, JsonNode> JobPredictions { get; }

    public static string FileName(string endpointKey) => endpointKey.Replace(' ', '_').Replace('/', '_').Replace("__", "_", StringComparison.Ordinal).Trim('_') + ".json";

    public static Cassette Load(string folder)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"{folder} is not a cassette: {ManifestFile} is missing.", manifestPath);
        }

        var manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), EvalJson.Default.CassetteManifest)
            ?? throw new InvalidDataException($"{manifestPath} is empty.");
        var endpoints = new Dictionary<string, RecordedBody>(StringComparer.Ordinal);
        var endpointFolder = Path.Combine(folder, "endpoints");
        if (Directory.Exists(endpointFolder))
        {
            foreach (var file in Directory.GetFiles(endpointFolder, "*.json"))
            {
                var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
                endpoints[node["endpoint"]!.GetValue<string>()] = new RecordedBody(node["status"]?.GetValue<int>() ?? 200, node["body"]!);
            }
        }

        var jobs = Directory.Exists(Path.Combine(folder, "jobs"))
            ? Directory.GetFiles(Path.Combine(folder, "jobs"), "*.json").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => JsonNode.Parse(File.ReadAllText(f))!, StringComparer.Ordinal)
            : [];
        var grid = new List<(JobSpec, JsonNode)>();
        if (File.Exists(Path.Combine(folder, PredictionsFile)))
        {
            foreach (var entry in JsonNode.Parse(File.ReadAllText(Path.Combine(folder, PredictionsFile)))!.AsArray())
            {
                grid.Add((entry!["spec"].Deserialize(VgacJsonContext.Default.JobSpec)!, entry["response"]!));
            }
        }

        var jobPredictions = File.Exists(Path.Combine(folder, JobPredictionsFile))
            ? JsonNode.Parse(File.ReadAllText(Path.Combine(folder, JobPredictionsFile)))!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal)
            : [];
        return new Cassette(folder, manifest, endpoints, jobs, grid, jobPredictions);
    }

    public static void Write(string folder, CassetteManifest manifest, IReadOnlyDictionary<string, RecordedBody> endpoints, IReadOnlyDictionary<string, JsonNode> jobs, IReadOnlyList<(JobSpec Spec, JsonNode Response)> grid, IReadOnlyDictionary<string, JsonNode> jobPredictions)
    {
        Directory.CreateDirectory(Path.Combine(folder, "endpoints"));
        Directory.CreateDirectory(Path.Combine(folder, "jobs"));
        File.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, EvalJson.Default.CassetteManifest));
        foreach (var (key, body) in endpoints)
        {
            File.WriteAllText(Path.Combine(folder, "endpoints", FileName(key)), new JsonObject { ["endpoint"] = key, ["status"] = body.Status, ["body"] = body.Body.DeepClone() }.ToJsonString(Indented));
        }

        foreach (var (id, body) in jobs)
        {
            File.WriteAllText(Path.Combine(folder, "jobs", id + ".json"), body.ToJsonString(Indented));
        }

        var array = new JsonArray();
        foreach (var (spec, response) in grid)
        {
            array.Add((JsonNode)new JsonObject { ["spec"] = JsonSerializer.SerializeToNode(spec, VgacJsonContext.Default.JobSpec), ["response"] = response.DeepClone() });
        }

        File.WriteAllText(Path.Combine(folder, PredictionsFile), array.ToJsonString(Indented));
        var byJob = new JsonObject();
        foreach (var (id, prediction) in jobPredictions)
        {
            byJob[id] = prediction.DeepClone();
        }

        File.WriteAllText(Path.Combine(folder, JobPredictionsFile), byJob.ToJsonString(Indented));
    }
}

/// <summary>What an endpoint answered when the cassette was recorded.</summary>
public sealed record RecordedBody(int Status, JsonNode Body);
