using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Evals.Cassettes;

/// <summary>
/// Serves the VGAC API from a cassette as the innermost HTTP handler of the client's own pipeline, so replay runs
/// the same code as production. Any sequence of calls gets consistent answers. A prediction for a spec outside
/// the recorded grid is answered from the nearest recorded spec and noted — or refused, when the case asks for
/// exact predictions. An endpoint that was not recorded fails loudly (501) and is noted.
/// </summary>
public sealed class CassetteHandler(Cassette cassette, bool exactPredictions = false) : HttpMessageHandler
{
    private readonly List<string> _approximations = [];
    private readonly List<string> _misses = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<string> Approximations
    {
        get
        {
            lock (_gate)
            {
                return [.. _approximations];
            }
        }
    }

    public IReadOnlyList<string> Misses
    {
        get
        {
            lock (_gate)
            {
                return [.. _misses];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var key = $"{request.Method.Method} {path}";
        if (cassette.Manifest.Failures.TryGetValue(key, out var failing) || cassette.Manifest.Failures.TryGetValue("*", out failing))
        {
            var failure = Json((HttpStatusCode)failing, new JsonObject { ["detail"] = $"recorded failure: {key} answered {failing}" });
            failure.RequestMessage = request;
            return failure;
        }

        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
        var response = Answer(request, key, path, body, query);
        response.RequestMessage = request; // as a real handler would: Refit reads it
        return response;
    }

    private HttpResponseMessage Answer(HttpRequestMessage request, string key, string path, string? body, System.Collections.Specialized.NameValueCollection query) =>
        request.Method.Method switch
        {
            "GET" when cassette.Endpoints.TryGetValue(key, out var recorded) => Json((HttpStatusCode)recorded.Status, Limit(recorded.Body, query["limit"], query["namespace"])),
            "GET" when path.StartsWith("/api/jobs/", StringComparison.Ordinal) && path.Count(c => c == '/') == 3 => Job(Uri.UnescapeDataString(path["/api/jobs/".Length..])),
            "POST" when path == VgacRoutes.PredictWait => Json(HttpStatusCode.OK, Predict(Spec(body), "wait")),
            "POST" when path == VgacRoutes.PredictBatch => Batch(body),
            "POST" when path == VgacRoutes.JobsPredict => Json(HttpStatusCode.OK, JobPrediction(JsonSerializer.Deserialize(body!, VgacJsonContext.Default.JobPredictRequest)!)),
            "POST" when path == VgacRoutes.JobsPredictBatch => JobBatch(body),
            _ => Miss(key),
        };

    private HttpResponseMessage Job(string id) => cassette.Jobs.TryGetValue(id, out var job)
        ? Json(HttpStatusCode.OK, job)
        : Json(HttpStatusCode.NotFound, new JsonObject { ["detail"] = $"Job '{id}' not found" });

    private HttpResponseMessage Batch(string? body)
    {
        var request = JsonSerializer.Deserialize(body!, VgacJsonContext.Default.BatchPredictRequest)!;
        var predictions = new JsonArray([.. request.Jobs.Select(s => Predict(s, "batch"))]);
        return Json(HttpStatusCode.OK, new JsonObject { ["predictions"] = predictions, ["count"] = predictions.Count });
    }

    private HttpResponseMessage JobBatch(string? body)
    {
        var request = JsonSerializer.Deserialize(body!, VgacJsonContext.Default.JobBatchPredictRequest)!;
        var predictions = new JsonArray([.. request.Jobs.Select(JobPrediction)]);
        return Json(HttpStatusCode.OK, new JsonObject { ["predictions"] = predictions, ["count"] = predictions.Count });
    }

    private JsonNode JobPrediction(JobPredictRequest request)
    {
        if (request.JobId is { } id && cassette.JobPredictions.TryGetValue(id, out var recorded))
        {
            return recorded.DeepClone();
        }

        var p = Predict(request, "job");
        return new JsonObject
        {
            ["job_id"] = request.JobId ?? "adhoc",
            ["predicted_wait_seconds"] = p["estimated_wait_seconds"]?.DeepClone(),
            ["predicted_probability_long_wait"] = p["probability_long_wait"]?.DeepClone(),
            ["confidence"] = p["confidence"]?.DeepClone(),
            ["is_calibrated"] = p["is_calibrated"]?.DeepClone(),
            ["model_version"] = p["model_version"]?.DeepClone() ?? "cassette",
            ["top_factors"] = new JsonArray(),
            ["recommendation"] = p["recommendation"]?.DeepClone(),
            ["policy"] = p["policy"]?.DeepClone(),
        };
    }

    /// <summary>The recorded prediction for this spec, or the nearest one (noted), or a refusal when exactness is required.</summary>
    private JsonNode Predict(JobSpec spec, string how)
    {
        if (cassette.Grid.Count == 0)
        {
            throw new CassetteMissException($"{cassette.Manifest.Name} recorded no predictions");
        }

        var (nearest, response) = cassette.Grid.MinBy(g => Distance(g.Spec, spec));
        if (Distance(nearest, spec) > 0)
        {
            var note = $"{how} prediction for gpus={spec.Gpus} priority={spec.Priority} gpu_type={spec.GpuType ?? "any"} answered from recorded gpus={nearest.Gpus} priority={nearest.Priority} gpu_type={nearest.GpuType ?? "any"}";
            if (exactPredictions)
            {
                throw new CassetteMissException($"{note} refused: this case requires exact predictions");
            }

            lock (_gate)
            {
                _approximations.Add(note);
            }
        }

        return response.DeepClone();
    }

    private static double Distance(JobSpec a, JobSpec b) =>
        Math.Abs(a.Gpus - b.Gpus) * 10 + Math.Abs(a.Priority - b.Priority) + (string.Equals(a.GpuType, b.GpuType, StringComparison.OrdinalIgnoreCase) ? 0 : 5);

    private static JobSpec Spec(string? body) => JsonSerializer.Deserialize(body!, VgacJsonContext.Default.JobSpec)!;

    private HttpResponseMessage Miss(string key)
    {
        lock (_gate)
        {
            _misses.Add(key);
        }

        return Json(HttpStatusCode.NotImplemented, new JsonObject { ["detail"] = $"cassette {cassette.Manifest.Name} has no recording of {key}" });
    }

    /// <summary>A <c>limit</c> query cuts recorded lists as the live endpoint would.</summary>
    /// <summary>A recorded list as VGAC would answer the query: one namespace's jobs (of those recorded), then at most <paramref name="limit"/> rows.</summary>
    private static JsonNode Limit(JsonNode body, string? limit, string? jobNamespace)
    {
        var copy = body.DeepClone();
        if (jobNamespace is not null && copy is JsonObject listed && listed["jobs"] is JsonArray jobs)
        {
            foreach (var job in jobs.Where(j => j?["namespace"]?.GetValue<string>() != jobNamespace).ToList())
            {
                jobs.Remove(job);
            }

            if (listed.ContainsKey("total"))
            {
                listed["total"] = jobs.Count;
            }
        }

        if (int.TryParse(limit, out var n) && copy is JsonObject obj)
        {
            foreach (var name in new[] { "jobs", "nodes", "predictions" })
            {
                if (obj[name] is JsonArray array)
                {
                    while (array.Count > n)
                    {
                        array.RemoveAt(array.Count - 1);
                    }
                }
            }
        }

        return copy;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) => new(status)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };
}

/// <summary>A call the cassette cannot answer; the eval reports it instead of inventing an answer.</summary>
public sealed class CassetteMissException(string message) : Exception(message);
