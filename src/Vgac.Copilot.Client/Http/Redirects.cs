namespace Vgac.Copilot.Client.Http;

/// <summary>
/// Redirects are never followed by the clients that carry a secret (the VGAC client with its key, the webhook whose
/// URL is one): a redirect is an error that names where it pointed, without the parts that could carry a secret.
/// </summary>
public static class Redirects
{
    /// <summary>The handler, set not to follow redirects.</summary>
    public static SocketsHttpHandler NotFollowed(SocketsHttpHandler handler)
    {
        handler.AllowAutoRedirect = false;
        return handler;
    }

    /// <summary>Whether a status is a redirect (3xx).</summary>
    public static bool IsRedirect(System.Net.HttpStatusCode status) => (int)status is >= 300 and < 400;

    /// <summary>
    /// Where a redirect pointed, for people: scheme, host and port (and the path with <paramref name="withPath"/>),
    /// never user information or the query; a relative location is resolved against <paramref name="from"/>.
    /// </summary>
    public static string Describe(Uri? location, Uri from, bool withPath)
    {
        if (location is null)
        {
            return "an address it did not give (no Location header)";
        }

        var target = location.IsAbsoluteUri ? location : new Uri(from, location);
        // The ASCII forms (punycode host, percent-encoded path): nothing in them can act on a terminal.
        var origin = target.IsDefaultPort ? $"{target.Scheme}://{target.IdnHost}" : $"{target.Scheme}://{target.IdnHost}:{target.Port}";
        var text = withPath ? origin + target.AbsolutePath : origin;
        return text.Length <= 200 ? text : text[..200] + "...";
    }
}
