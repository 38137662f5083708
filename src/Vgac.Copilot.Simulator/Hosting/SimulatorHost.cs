using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Api;

namespace Vgac.Copilot.Simulator.Hosting;

/// <summary>
/// The simulator served over real HTTP by Kestrel, with a driver that advances simulated time at
/// <see cref="SimulatorOptions.Speed"/> × real time. Used by <c>vgac sim</c>, by <c>--demo</c>, and by tests.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _driver;

    private SimulatorHost(WebApplication app, Simulation simulation, Uri url)
    {
        _app = app;
        Simulation = simulation;
        Url = url;
        _driver = simulation.Options.Speed > 0 ? DriveAsync(_stop.Token) : Task.CompletedTask;
    }

    public Uri Url { get; }

    public Simulation Simulation { get; }

    /// <summary>
    /// Builds the simulation (warm-up included) and starts serving it on <paramref name="address"/>:<paramref name="port"/>
    /// (port 0 picks a free one).
    /// </summary>
    public static async Task<SimulatorHost> StartAsync(
        SimulatorOptions options,
        int port = 0,
        IPAddress? address = null,
        Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        var simulation = Simulation.Create(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address ?? IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        // Stopping waits for requests in flight, but a client that keeps its connection open must not hold Ctrl+C for
        // the default 30 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, VgacJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, VgacSimJson.Default);
        });
        var app = builder.Build();
        var faults = new FaultInjection(simulation);
        app.Use(faults.InvokeAsync);
        app.MapVgacApi(simulation);
        app.MapSimulatorAdmin(simulation);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorHost(app, simulation, new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal)));
    }

    private async Task DriveAsync(CancellationToken cancellationToken)
    {
        var speed = Simulation.Options.Speed;
        var last = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = DateTimeOffset.UtcNow;
                Simulation.Advance((now - last) * speed);
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _driver.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Simulation.Dispose();
        _stop.Dispose();
    }
}
