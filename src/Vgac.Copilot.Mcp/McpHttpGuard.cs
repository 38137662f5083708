using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vgac.Copilot.Mcp;

/// <summary>Who may talk to <c>vgac mcp --http</c>: which Host and Origin names, and the bearer token if one is set.</summary>
public sealed class McpHttpAccess
{
    /// <summary>The names a loopback server answers to (DNS rebinding protection: nothing else).</summary>
    public static readonly IReadOnlyList<string> LoopbackNames = ["localhost", "127.0.0.1", "::1", "[::1]"];

    /// <summary>Host names (no port) requests may be addressed to.</summary>
    public required IReadOnlySet<string> AllowedHosts { get; init; }

    /// <summary>Origins (scheme://host[:port]) a browser request may come from; requests without Origin are not browsers'.</summary>
    public required IReadOnlySet<string> AllowedOrigins { get; init; }

    /// <summary>The bearer token clients must send; null when none is required (loopback only).</summary>
    public string? Token { get; init; }

    /// <summary>
    /// Loopback names when bound to loopback; otherwise the bind address and the names the operator listed. Origins:
    /// http and https on each allowed host (any port), plus any listed.
    /// </summary>
    public static McpHttpAccess For(IPAddress bind, IEnumerable<string> extraHosts, IEnumerable<string> extraOrigins, string? token)
    {
        var hosts = new HashSet<string>(IPAddress.IsLoopback(bind) ? LoopbackNames : [bind.ToString()], StringComparer.OrdinalIgnoreCase);
        hosts.UnionWith(extraHosts.Select(h => h.Trim()).Where(h => h.Length > 0));
        var origins = new HashSet<string>(extraOrigins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0), StringComparer.OrdinalIgnoreCase);
        return new McpHttpAccess { AllowedHosts = hosts, AllowedOrigins = origins, Token = token };
    }

    /// <summary>Why a request is refused (status and message), or null when it may pass.</summary>
    public (int Status, string Message)? Refusal(HttpRequest request)
    {
        var host = request.Host.Host;
        if (!AllowedHosts.Contains(host))
        {
            return (StatusCodes.Status403Forbidden, $"Host '{Cut(host)}' is not one this server answers to (DNS rebinding protection); allowed: {string.Join(", ", AllowedHosts.Order())}.");
        }

        if (request.Headers.Origin is { Count: > 0 } origins && origins.ToString() is { Length: > 0 } origin && !OriginAllowed(origin))
        {
            return (StatusCodes.Status403Forbidden, $"Origin '{Cut(origin)}' is not allowed (DNS rebinding protection).");
        }

        if (Token is { Length: > 0 } token && !Authorized(request, token))
        {
            return (StatusCodes.Status401Unauthorized, "Missing or wrong bearer token.");
        }

        return null;
    }

    private bool OriginAllowed(string origin)
    {
        if (AllowedOrigins.Contains(origin.TrimEnd('/')))
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && AllowedHosts.Contains(uri.Host);
    }

    private static bool Authorized(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes($"Bearer {token}"));
    }

    private static string Cut(string value) => value.Length <= 80 ? value : value[..80] + "...";
}

public static class McpHttpGuardExtensions
{
    /// <summary>
    /// Refuses, before anything else runs: a Host or Origin this server does not answer to (403, DNS rebinding), and a
    /// missing or wrong bearer token (401 with <c>WWW-Authenticate: Bearer</c>).
    /// </summary>
    public static IApplicationBuilder UseVgacMcpAccess(this IApplicationBuilder app, McpHttpAccess access) => app.Use(async (http, next) =>
    {
        if (access.Refusal(http.Request) is not { } refusal)
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = refusal.Status;
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"vgac-mcp\"";
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = refusal.Message }, McpJsonContext.Default.DictionaryStringString))
            .ConfigureAwait(false);
    });
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class McpJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
