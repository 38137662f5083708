using System.Text.Json.Serialization;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>
/// Where a calibration audit came from: the VGAC it audited (its canonical base URL) and what that VGAC says it is
/// (<c>cluster_id</c>, model version). Only audits of the VGAC a process talks to count in its guards: an audit of
/// another VGAC, however calm, says nothing about this one.
/// </summary>
/// <param name="BaseUrl">The audited VGAC's base URL, canonical (<see cref="Canonical"/>): no credentials, query or trailing slash.</param>
/// <param name="ClusterId">The <c>cluster_id</c> that VGAC reported, when it answered.</param>
/// <param name="ModelVersion">The model version behind the audited predictions, when VGAC said.</param>
public sealed record AuditSource(
    [property: JsonPropertyName("base_url")] string BaseUrl,
    [property: JsonPropertyName("cluster_id")] string? ClusterId = null,
    [property: JsonPropertyName("model_version")] string? ModelVersion = null)
{
    /// <summary>
    /// One spelling per VGAC: scheme and host in lower case, the default port left out, no user information, query
    /// or fragment, the path without its trailing slash. <c>HTTP://Host:80/vgac/</c> and <c>http://host/vgac</c> are one VGAC.
    /// </summary>
    public static string Canonical(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return url.Trim();
        }

        var port = uri.IsDefaultPort ? "" : $":{uri.Port}";
        return $"{uri.Scheme.ToLowerInvariant()}://{uri.IdnHost.ToLowerInvariant()}{port}{uri.AbsolutePath.TrimEnd('/')}";
    }

    /// <summary>Whether two base URLs name one VGAC.</summary>
    public static bool SameVgac(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    /// <summary>
    /// Whether an audit from <paramref name="recorded"/> counts for the VGAC at <paramref name="baseUrl"/>: it audited
    /// that VGAC, or it carries no source (made before audits recorded one; it can only make the verdict worse, since
    /// the guards take the worst audit in force).
    /// </summary>
    public static bool CountsFor(AuditSource? recorded, string baseUrl) => recorded is null || SameVgac(recorded.BaseUrl, baseUrl);
}
