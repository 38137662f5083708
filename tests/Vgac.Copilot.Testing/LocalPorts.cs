using System.Net;
using System.Net.Sockets;

namespace Vgac.Copilot.Testing;

/// <summary>Loopback ports for servers a test starts itself (PostgreSQL, Prometheus, a vgac endpoint).</summary>
public static class LocalPorts
{
    /// <summary>A port nothing listens on at the moment of asking (the system's choice, then released).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
