using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// <c>--demo</c>: the embedded simulator, started in-process on a free loopback port, reached over HTTP like any
/// VGAC. Kept out of line so commands without <c>--demo</c> never load ASP.NET Core; not in the native one-shot
/// <c>vgac</c> at all, which hands <c>--demo</c> runs to the full program.
/// </summary>
internal static class DemoVgac
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Task<IAsyncDisposable> StartAsync(IConfiguration configuration, Action<Uri> useUrl, CancellationToken cancellationToken) =>
        FullProgram.IsOneShotBuild ? throw FullProgram.NotCarried("--demo") : StartSimulatorAsync(configuration, useUrl, cancellationToken);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<IAsyncDisposable> StartSimulatorAsync(IConfiguration configuration, Action<Uri> useUrl, CancellationToken cancellationToken)
    {
        var options = SimulatorSettings.Bind(configuration);
        var host = await SimulatorHost.StartAsync(options, port: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        useUrl(host.Url);
        return host;
    }
}
