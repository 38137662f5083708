using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Testing;

/// <summary>
/// A stand-in for a Kubernetes API server on loopback (no real one can run here), speaking the API's wire for the
/// calls the Kubernetes executor makes: <c>/version</c>; get and merge-patch of pods and Jobs (RFC 7386: an object
/// merges, <c>null</c> deletes, anything else replaces; <c>application/merge-patch+json</c> only, else 415); a list
/// of Jobs by label selector; <c>dryRun=All</c> (the answer is the patched object, nothing is stored); self-subject
/// access reviews; a bearer token (401 without it); <c>Status</c> bodies for 404, 403 and 415. As the Job controller
/// would, suspending a Job removes the pods it controls. Every request is kept (<see cref="Requests"/>).
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _forbidden = new(StringComparer.Ordinal);
    private LoopbackServer _server = null!;
    private int _version;

    /// <summary>The bearer token the server accepts (the kubeconfig's user carries it).</summary>
    public string Token { get; } = $"fake-k8s-token-{Guid.NewGuid():N}";

    public Uri BaseAddress => _server.BaseAddress;

    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    /// <summary>The requests that could change something: every PATCH (dry runs included).</summary>
    public IReadOnlyList<RecordedRequest> Patches => [.. Requests.Where(r => r.Method == "PATCH")];

    public static async Task<FakeKubernetesApi> StartAsync(CancellationToken cancellationToken = default)
    {
        var api = new FakeKubernetesApi();
        api._server = await LoopbackServer.StartAsync(api.Answer, cancellationToken);
        return api;
    }

    /// <summary>A pending pod, controlled by <paramref name="ownerKind"/> <paramref name="owner"/> when one is given.</summary>
    public void AddPod(string ns, string name, string? owner = null, string ownerKind = "Job", IDictionary<string, string>? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = Guid.NewGuid().ToString() };
        if (owner is not null)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = ownerKind == "Job" ? "batch/v1" : "ray.io/v1", ["kind"] = ownerKind, ["name"] = owner, ["uid"] = Guid.NewGuid().ToString(), ["controller"] = true,
            });
        }

        if (annotations is not null)
        {
            metadata["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        }

        Put("pods", ns, name, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["status"] = new JsonObject { ["phase"] = "Pending" } });
    }

    public void AddJob(string ns, string name, bool suspended = false) =>
        Put("jobs", ns, name, new JsonObject
        {
            ["apiVersion"] = "batch/v1", ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = Guid.NewGuid().ToString() },
            ["spec"] = new JsonObject { ["suspend"] = suspended, ["parallelism"] = 1 },
        });

    /// <summary>Resumes a Job as a person with kubectl would, leaving its labels.</summary>
    public void ResumeJob(string ns, string name)
    {
        var job = Job(ns, name)!;
        job["spec"]!["suspend"] = false;
        Put("jobs", ns, name, job);
    }

    public void RemovePod(string ns, string name) => _objects.TryRemove(Key("pods", ns, name), out _);

    /// <summary>The object as stored now (a copy), or null.</summary>
    public JsonObject? Pod(string ns, string name) => _objects.TryGetValue(Key("pods", ns, name), out var o) ? (JsonObject)o.DeepClone() : null;

    public JsonObject? Job(string ns, string name) => _objects.TryGetValue(Key("jobs", ns, name), out var o) ? (JsonObject)o.DeepClone() : null;

    /// <summary>Refuses <paramref name="verb"/> on <paramref name="resource"/> (403), and says so to access reviews.</summary>
    public void Forbid(string verb, string resource) => _forbidden[$"{verb} {resource}"] = true;

    /// <summary>A kubeconfig for this server, with the token, in <paramref name="folder"/>; <paramref name="extraContexts"/> point elsewhere.</summary>
    public string WriteKubeconfig(string folder, string context = "fake", string? ns = null, params (string Name, string Server)[] extraContexts)
    {
        var clusters = new List<(string Name, string Server)> { (context, BaseAddress.ToString().TrimEnd('/')) };
        clusters.AddRange(extraContexts);
        var yaml = $"""
            apiVersion: v1
            kind: Config
            current-context: {context}
            clusters:
            {string.Concat(clusters.Select(c => $"- name: {c.Name}\n  cluster:\n    server: {c.Server}\n"))}contexts:
            {string.Concat(clusters.Select(c => $"- name: {c.Name}\n  context:\n    cluster: {c.Name}\n    user: vgac\n{(ns is null ? "" : $"    namespace: {ns}\n")}"))}users:
            - name: vgac
              user:
                token: {Token}
            """;
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Key(string resource, string ns, string name) => $"{resource}/{ns}/{name}";

    private void Put(string resource, string ns, string name, JsonObject value)
    {
        value["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _objects[Key(resource, ns, name)] = value;
    }

    private ScriptedResponse Answer(RecordedRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out var auth) || auth != $"Bearer {Token}")
        {
            return Status(401, "Unauthorized", "Unauthorized");
        }

        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        var dryRun = query["dryRun"] == "All";
        if (request.Path is "/version" or "/version/" && request.Method == "GET")
        {
            return ScriptedResponse.Json("""{"major":"1","minor":"32","gitVersion":"v1.32.0-fake","platform":"linux/amd64"}""");
        }

        if (request.Path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" && request.Method == "POST")
        {
            var review = JsonNode.Parse(request.Body)!.AsObject();
            var attributes = review["spec"]!["resourceAttributes"]!;
            var allowed = !_forbidden.ContainsKey($"{attributes["verb"]} {attributes["resource"]}");
            review["status"] = new JsonObject { ["allowed"] = allowed };
            return ScriptedResponse.Json(review.ToJsonString(), 201);
        }

        var match = ObjectPath().Match(request.Path);
        if (!match.Success)
        {
            return Status(404, "NotFound", $"the server could not find the requested resource ({request.Method} {request.Path})");
        }

        var (resource, ns, name) = (match.Groups["resource"].Value, match.Groups["ns"].Value, match.Groups["name"].Value);
        var verb = request.Method switch { "GET" when name.Length == 0 => "list", "GET" => "get", "PATCH" => "patch", _ => request.Method.ToLowerInvariant() };
        if (_forbidden.ContainsKey($"{verb} {resource}"))
        {
            return Status(403, "Forbidden", $"{resource}{(resource == "jobs" ? ".batch" : "")} \"{name}\" is forbidden: User \"vgac\" cannot {verb} resource \"{resource}\" in API group \"{(resource == "jobs" ? "batch" : "")}\" in the namespace \"{ns}\"");
        }

        if (verb == "list")
        {
            var selector = query["labelSelector"]?.Split('=', 2);
            var items = _objects.Where(o => o.Key.StartsWith($"{resource}/{ns}/", StringComparison.Ordinal))
                .Select(o => o.Value)
                .Where(o => selector is null || o["metadata"]?["labels"]?[selector[0]]?.GetValue<string>() == selector[1])
                .Select(o => o.DeepClone()).ToArray();
            return ScriptedResponse.Json(new JsonObject
            {
                ["apiVersion"] = resource == "jobs" ? "batch/v1" : "v1", ["kind"] = resource == "jobs" ? "JobList" : "PodList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ["items"] = new JsonArray(items),
            }.ToJsonString());
        }

        if (!_objects.TryGetValue(Key(resource, ns, name), out var current))
        {
            return Status(404, "NotFound", $"{resource}{(resource == "jobs" ? ".batch" : "")} \"{name}\" not found");
        }

        if (verb == "get")
        {
            return ScriptedResponse.Json(current.ToJsonString());
        }

        if (verb != "patch")
        {
            return Status(405, "MethodNotAllowed", $"{request.Method} is not supported here");
        }

        if (!request.Headers.TryGetValue("Content-Type", out var type) || !type.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
        {
            return Status(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json (got {type})");
        }

        var patched = (JsonObject)Merge(current.DeepClone(), JsonNode.Parse(request.Body))!;
        if (!dryRun)
        {
            Put(resource, ns, name, patched);
            if (resource == "jobs" && patched["spec"]?["suspend"]?.GetValue<bool>() == true)
            {
                // The Job controller: a suspended Job's pods are deleted (they are made again when it resumes).
                foreach (var pod in _objects.Where(o => o.Key.StartsWith($"pods/{ns}/", StringComparison.Ordinal)
                    && o.Value["metadata"]?["ownerReferences"]?.AsArray().Any(r => r?["kind"]?.GetValue<string>() == "Job" && r["name"]?.GetValue<string>() == name) == true).ToList())
                {
                    _objects.TryRemove(pod.Key, out _);
                }
            }
        }

        return ScriptedResponse.Json(patched.ToJsonString());
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Merge(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    private static ScriptedResponse Status(int code, string reason, string message) =>
        ScriptedResponse.Json(new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code,
        }.ToJsonString(), code);

    [GeneratedRegex("^/(api/v1|apis/batch/v1)/namespaces/(?<ns>[^/]+)/(?<resource>pods|jobs)(/(?<name>[^/]+))?$")]
    private static partial Regex ObjectPath();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
