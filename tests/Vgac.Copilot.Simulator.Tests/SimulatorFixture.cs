using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>A simulator on loopback with a frozen clock, shared by a test class, and a production client for it.</summary>
public abstract class SimulatorFixtureBase(SimulatorOptions options) : IAsyncLifetime
{
    public SimulatorHost Host { get; private set; } = null!;

    public ClientHarness Harness { get; private set; } = null!;

    public Client.IVgacClient Client => Harness.Client;

    internal Client.IVgacPredictionClient Predictions => Harness.Predictions;

    public async ValueTask InitializeAsync()
    {
        Host = await SimulatorHost.StartAsync(options);
        Harness = ClientHarness.Create(Host.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Host.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SimulatorFixture() : SimulatorFixtureBase(new SimulatorOptions { Speed = 0 });

public sealed class SlurmSimulatorFixture() : SimulatorFixtureBase(new SimulatorOptions { Speed = 0, Flavor = SchedulerType.Slurm, Seed = 5 });
