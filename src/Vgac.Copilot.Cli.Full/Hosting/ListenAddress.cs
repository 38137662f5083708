using System.Net;
using Vgac.Copilot.Cli.Composition;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>Where a server command listens (<c>--bind</c>, <c>--port</c>), checked the same way by each of them.</summary>
internal static class ListenAddress
{
    /// <summary>The address and port, or a usage error naming the flag and the value.</summary>
    /// <param name="bind"><c>--bind</c>, if given.</param>
    /// <param name="port"><c>--port</c>.</param>
    /// <param name="fallback">The address without <c>--bind</c>: loopback, unless the server is meant to be reached from outside.</param>
    public static (IPAddress Address, int Port) Resolve(string? bind, int port, IPAddress fallback)
    {
        var address = fallback;
        if (bind is not null && !IPAddress.TryParse(bind, out address))
        {
            throw new ConfigurationException($"--bind must be an IP address, got {Core.Guards.Identifiers.Echo(bind)}.");
        }

        return port is < 0 or > 65535
            ? throw new ConfigurationException($"--port must be between 0 and 65535, got {port}.")
            : (address, port);
    }
}
