using System.Net;
using System.Text.Json.Nodes;
using k8s;
using KubernetesClient = k8s.Kubernetes;
using k8s.Autorest;
using k8s.Exceptions;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions.Kubernetes;

/// <summary>Why a call to the API server did not do what was asked, in words (never a token, never the client's type names).</summary>
internal sealed class KubernetesCallException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    public bool NotFound => Status == HttpStatusCode.NotFound;
}

/// <summary>
/// The connection to one cluster's API server with the official client: the kubeconfig (or the in-cluster service
/// account) as <see cref="KubernetesExecutorOptions"/> names it, made once, on first use. Every failure becomes a
/// <see cref="KubernetesCallException"/> whose message says what the server or the configuration said.
/// </summary>
internal sealed class KubernetesApi(KubernetesExecutorOptions options) : IDisposable
{
    private readonly Lock _gate = new();
    private KubernetesClient? _client;
    private string _where = "the API server";
    private string? _namespace;

    /// <summary>Where calls go, for messages: the server's scheme, host and port, and the context.</summary>
    public string Where
    {
        get
        {
            _ = Client;
            return _where;
        }
    }

    /// <summary>The context's namespace, or null when it names none.</summary>
    public string? Namespace
    {
        get
        {
            _ = Client;
            return _namespace;
        }
    }

    public KubernetesClient Client
    {
        get
        {
            lock (_gate)
            {
                return _client ??= Connect();
            }
        }
    }

    private KubernetesClient Connect()
    {
        KubernetesClientConfiguration config;
        try
        {
            var file = options.Kubeconfig is { Length: > 0 } named ? named
                : Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0]
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            if (File.Exists(file))
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(file, options.Context is { Length: > 0 } context ? context : null);
            }
            else if (KubernetesClientConfiguration.IsInCluster())
            {
                config = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                throw new KubernetesCallException($"no kubeconfig at {file} and not running in a cluster; set Watch:Kubernetes:Kubeconfig");
            }
        }
        catch (Exception ex) when (ex is KubeConfigException or KubernetesClientException or IOException or UnauthorizedAccessException or FormatException)
        {
            throw new KubernetesCallException($"the kubeconfig could not be used ({UntrustedText.Clean(ex.Message, 200)})");
        }

        _namespace = config.Namespace is { Length: > 0 } ns && Core.Guards.Identifiers.KubernetesNamespace(ns) is null ? ns : null;
        config.HttpClientTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var server = Uri.TryCreate(config.Host, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}" : "the API server";
        _where = config.CurrentContext is { Length: > 0 } current ? $"{server} (context {UntrustedText.Clean(current, 64)})" : server;
        return new KubernetesClient(config);
    }

    /// <summary>Runs one call, turning every failure into a <see cref="KubernetesCallException"/> that says what happened.</summary>
    public async Task<T> CallAsync<T>(Func<KubernetesClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var client = Client;
        try
        {
            return await call(client, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            var status = ex.Response?.StatusCode;
            var said = StatusMessage(ex.Response?.Content) ?? ex.Response?.ReasonPhrase ?? "no message";
            throw new KubernetesCallException($"{(int?)status} {UntrustedText.Clean(said, 240)}", status);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesCallException($"{_where} did not answer within {options.TimeoutSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            throw new KubernetesCallException($"{_where} could not be reached ({UntrustedText.Clean(ex.Message, 160)})");
        }
    }

    /// <summary>The <c>message</c> of the API's <c>Status</c> answer, when the body is one.</summary>
    private static string? StatusMessage(string? body)
    {
        if (body is not { Length: > 0 and < 65536 })
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body)?["message"] is JsonValue value && value.TryGetValue<string>(out var message) ? message : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
        }
    }
}
