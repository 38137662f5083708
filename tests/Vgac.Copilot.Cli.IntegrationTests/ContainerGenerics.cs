using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The generic types the dependency-injection container makes at run time (open generics closed over a service, and
/// the arrays behind <c>IEnumerable&lt;T&gt;</c>), read from its event source for the service providers built while
/// this listens. A native build that has not compiled one of them ahead builds it on first use, which is slow.
/// </summary>
internal sealed partial class ContainerGenerics : EventListener
{
    private const string SourceName = "Microsoft-Extensions-DependencyInjection";

    private readonly ConcurrentDictionary<int, bool> _providers = new();
    private readonly ConcurrentDictionary<(int Provider, string Service), string[]> _chunks = new();
    private readonly HashSet<int> _before;

    /// <summary>Listens from now on; providers that exist already (the source reports them when enabled) are not counted.</summary>
    public ContainerGenerics() => _before = [.. _providers.Keys];

    /// <summary>Each type as the native compiler's directives name it, by the assembly that defines it.</summary>
    public IReadOnlySet<(string Assembly, string Type)> Made()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ((provider, _), chunks) in _chunks)
        {
            if (_providers.ContainsKey(provider) && !_before.Contains(provider) && chunks.All(c => c is not null))
            {
                var callSite = string.Concat(chunks);
                names.UnionWith(ImplementationType().Matches(callSite).Select(m => m.Groups["type"].Value).Where(t => t.Contains('`', StringComparison.Ordinal)));
                names.UnionWith(ItemType().Matches(callSite).Select(m => m.Groups["type"].Value + "[]"));
            }
        }

        return names.Select(Resolve).Select(t => (Defining(t).Assembly.GetName().Name!, Directive(t))).ToHashSet();
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == SourceName)
        {
            EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        var payload = e.Payload;
        var names = e.PayloadNames;
        if (payload is null || names is null)
        {
            return;
        }

        object? Field(string name) => names.IndexOf(name) is >= 0 and var i ? payload[i] : null;
        if (e.EventName == "ServiceProviderBuilt" && Field("serviceProviderHashCode") is int built)
        {
            _providers[built] = true;
        }
        else if (e.EventName == "CallSiteBuilt" && Field("serviceProviderHashCode") is int provider
                 && Field("serviceType") is string service && Field("callSite") is string part
                 && Field("chunkIndex") is int index && Field("chunkCount") is int count)
        {
            var chunks = _chunks.GetOrAdd((provider, service), _ => new string[count]);
            chunks[index] = part;
        }
    }

    /// <summary>The name the compiler's directives take: generic arguments with their assemblies.</summary>
    internal static string Directive(Type type) =>
        type.IsArray ? Directive(type.GetElementType()!) + "[]"
        : type.IsConstructedGenericType
            ? $"{type.GetGenericTypeDefinition().FullName}[{string.Join(",", type.GenericTypeArguments.Select(a => $"[{Directive(a)},{Defining(a).Assembly.GetName().Name}]"))}]"
            : type.FullName!;

    private static Type Defining(Type type) => type.IsArray ? Defining(type.GetElementType()!) : type;

    /// <summary>A type from the container's name for it (<c>Ns.Type`1[Ns.Arg]</c>, no assemblies), among those loaded.</summary>
    private static Type Resolve(string name)
    {
        if (name.EndsWith("[]", StringComparison.Ordinal))
        {
            return Resolve(name[..^2]).MakeArrayType();
        }

        var open = name.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null)
                ?? throw new InvalidOperationException($"no loaded assembly defines {name}");
        }

        var arguments = SplitArguments(name[(open + 1)..^1]).Select(Resolve).ToArray();
        return Resolve(name[..open]).MakeGenericType(arguments);
    }

    private static IEnumerable<string> SplitArguments(string list)
    {
        var depth = 0;
        var current = new StringBuilder();
        foreach (var c in list)
        {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ',' && depth == 0)
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        yield return current.ToString();
    }

    [GeneratedRegex("\"implementationType\": \"(?<type>[^\"]+)\"")]
    private static partial Regex ImplementationType();

    [GeneratedRegex("\"itemType\": \"(?<type>[^\"]+)\"")]
    private static partial Regex ItemType();
}
