using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Core.Clusters;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// The run's clusters, each with a service provider of its own built from the one wiring entry point
/// (<see cref="CopilotServices"/>) over that cluster's configuration: its own client, calibration cache, guard
/// options, audit trail view. Built when first asked for (a one-shot <c>predict</c> builds one), disposed with the
/// run. Two clusters' guards cannot share state because they share no object.
/// </summary>
internal sealed class ClusterScopes : IClusterDirectory, IAsyncDisposable
{
    private readonly ClusterPlan _plan;
    private readonly IConfiguration _shared;
    private readonly IReadOnlyList<KeyValuePair<string, string?>> _flags;
    private readonly Core.Text.SecretRedactor _secrets;
    private readonly Action<IServiceCollection>? _services;
    private readonly Dictionary<string, Task<Scope>> _scopes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string _current;

    public ClusterScopes(ClusterPlan plan, IConfiguration shared, IEnumerable<KeyValuePair<string, string?>> flags, Core.Text.SecretRedactor secrets, Action<IServiceCollection>? services)
    {
        _plan = plan;
        _shared = shared;
        _flags = [.. flags];
        _secrets = secrets;
        _services = services;
        _current = plan.Selected;
        _secrets.Learn(plan.Clusters.Select(c => c.Overlay.GetValueOrDefault("Vgac:ApiKey")));
        Clusters = plan.Describe(shared, _flags);
    }

    public ClusterPlan Plan => _plan;

    public IReadOnlyList<ClusterInfo> Clusters { get; }

    public string Current
    {
        get => _current;
        set => _current = this.Has(value) ? value : throw new KeyNotFoundException($"no cluster is named '{value}'; configured: {this.NameList()}.");
    }

    /// <summary>The cluster the run was started for (<c>--cluster</c>, <c>DefaultCluster</c>).</summary>
    public string Selected => _plan.Selected;

    /// <summary>Whether this run serves more than one cluster (then tools take <c>cluster</c>, and results name it).</summary>
    public bool Several => Clusters.Count > 1;

    public async Task<IServiceProvider> ServicesAsync(string name, CancellationToken cancellationToken) =>
        (await ScopeAsync(name, cancellationToken).ConfigureAwait(false)).Services;

    /// <summary>One cluster's services and the configuration they were built from.</summary>
    public Task<Scope> ScopeAsync(string name, CancellationToken cancellationToken)
    {
        if (!this.Has(name))
        {
            throw new KeyNotFoundException($"no cluster is named '{name}'; configured: {this.NameList()}.");
        }

        lock (_gate)
        {
            if (!_scopes.TryGetValue(name, out var scope) || scope.IsFaulted || scope.IsCanceled)
            {
                // Not tied to the first caller's token: another caller may be waiting for the same cluster.
                _scopes[name] = scope = BuildAsync(_plan[name], CancellationToken.None);
            }

            return scope.WaitAsync(cancellationToken);
        }
    }

    private async Task<Scope> BuildAsync(ClusterSettings cluster, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        IAsyncDisposable? simulator = null;
        if (cluster.DemoFlavor is { } flavor)
        {
            found["Simulator:Flavor"] = flavor;
            found["Simulator:ClusterId"] = cluster.Name;

            // Two clusters, two workloads: the second demo cluster's seed follows the first's.
            var index = _plan.Clusters.ToList().IndexOf(cluster);
            if (index > 0 && int.TryParse(_shared["Simulator:Seed"] ?? "42", System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seed))
            {
                found["Simulator:Seed"] = (seed + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            simulator = await DemoVgac.StartAsync(_plan.ConfigurationFor(_shared, cluster.Name, _flags, found), url => found["Vgac:BaseUrl"] = url.ToString(), cancellationToken).ConfigureAwait(false);
        }

        var configuration = _plan.ConfigurationFor(_shared, cluster.Name, _flags, found);

        _secrets.Learn(configuration);
        ServiceProvider? provider = null;
        try
        {
            var collection = new ServiceCollection();
            collection.AddSingleton(_secrets);
            collection.AddSingleton<IClusterDirectory>(this);
            _services?.Invoke(collection);
            collection.AddCopilotServices(configuration);
            StartupTimeline.Mark("services registered");
            provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = CommandHost.ValidateWiring, ValidateScopes = CommandHost.ValidateWiring });
            StartupTimeline.Mark("services built");
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (OptionsValidationException ex) when (Several)
            {
                throw new ConfigurationException($"invalid configuration for cluster '{cluster.Name}' ({cluster.Origin}): {string.Join(" ", ex.Failures)}");
            }

            StartupTimeline.Mark("options validated");
            return new Scope(cluster.Name, provider, configuration, simulator);
        }
        catch
        {
            if (provider is not null)
            {
                await provider.DisposeAsync().ConfigureAwait(false);
            }

            if (simulator is not null)
            {
                await simulator.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<Scope>> scopes;
        lock (_gate)
        {
            scopes = [.. _scopes.Values];
            _scopes.Clear();
        }

        foreach (var task in scopes)
        {
            if (task.IsCompletedSuccessfully)
            {
                await task.Result.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await (await task.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A cluster that never started has nothing to dispose; its error was reported to whoever asked.
                }
            }
        }
    }

    /// <summary>One cluster's services, the configuration they read, and its demo simulator if any.</summary>
    internal sealed class Scope(string name, ServiceProvider services, IConfigurationRoot configuration, IAsyncDisposable? simulator) : IAsyncDisposable
    {
        public string Name => name;

        public IServiceProvider Services => services;

        public IConfigurationRoot Configuration => configuration;

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync().ConfigureAwait(false);
            if (simulator is not null)
            {
                await simulator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
