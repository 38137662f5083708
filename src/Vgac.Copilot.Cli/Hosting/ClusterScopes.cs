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

    private readonly Func<IConfiguration>? _unflagged;
    private readonly CliHost _host;

    /// <param name="plan">The run's clusters.</param>
    /// <param name="shared">The run's configuration, flags included.</param>
    /// <param name="flags">The run's flags.</param>
    /// <param name="secrets">Every secret the run knows.</param>
    /// <param name="services">Registrations the command adds to each cluster's services.</param>
    /// <param name="host">What the program carries beyond the library: its services, and the simulator for demo clusters.</param>
    /// <param name="unflagged">The configuration as the files and environment give it, without the run's flags (what is configured).</param>
    public ClusterScopes(ClusterPlan plan, IConfiguration shared, IEnumerable<KeyValuePair<string, string?>> flags, Core.Text.SecretRedactor secrets, Action<IServiceCollection>? services,
        CliHost host, Func<IConfiguration>? unflagged = null)
    {
        _host = host;
        _unflagged = unflagged;
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

    /// <summary>
    /// Refuses a run that would act on a cluster through a VGAC other than the one configured for it: a command that
    /// acts (approve, apply, an MCP or REPL apply, a watch with autonomy, <c>audit --check</c>) is judged by the
    /// configured VGAC's audits and reservations, so <c>--vgac-url</c> may only repeat that VGAC's URL.
    /// </summary>
    /// <param name="what">What would act, for the message (<c>vgac actions apply</c>).</param>
    /// <exception cref="ConfigurationException">The flag names another VGAC (exit 2).</exception>
    public void RequireConfiguredVgac(string what)
    {
        var flag = _flags.LastOrDefault(f => string.Equals(f.Key, "Vgac:BaseUrl", StringComparison.OrdinalIgnoreCase)).Value;
        var cluster = _plan[Selected];
        if (flag is null || cluster.DemoFlavor is not null)
        {
            return;
        }

        var configured = cluster.Overlay.GetValueOrDefault("Vgac:BaseUrl") is { Length: > 0 } own ? own
            : _unflagged?.Invoke()["Vgac:BaseUrl"] is { Length: > 0 } single ? single
            : new Client.VgacClientOptions().BaseUrl;
        if (!Core.Calibration.AuditSource.SameVgac(flag, configured))
        {
            throw new ConfigurationException(
                $"--vgac-url: {what} acts on cluster '{Selected}' only through its configured VGAC ({Core.Calibration.AuditSource.Canonical(configured)}), not {Core.Calibration.AuditSource.Canonical(flag)}: "
                + "the guards judge an action by that VGAC's own audits and reservations. To act on another VGAC, configure it (VGAC_API_BASE_URL, or a Clusters entry).");
        }
    }

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
            simulator = await _host.RequireDemo().StartAsync(_plan.ConfigurationFor(_shared, cluster.Name, _flags, found), url => found["Vgac:BaseUrl"] = url.ToString(), cancellationToken).ConfigureAwait(false);
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
            _host.AddServices(collection);
            StartupTimeline.Mark("services registered");
            provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = CommandHost.ValidateWiring, ValidateScopes = CommandHost.ValidateWiring });
            StartupTimeline.Mark("services built");
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (OptionsValidationException ex) when (Several)
            {
                throw new ConfigurationException($"invalid configuration for cluster '{cluster.Name}' ({cluster.Origin}): {string.Join(" ", ex.Failures.Select(Composition.SettingsCatalog.Named))}");
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
