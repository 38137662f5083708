using System.Collections.Concurrent;
using Vgac.Copilot.Core.Caching;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>The user's other runs, as seen by a test: what was shared, by key, with every write kept in order.</summary>
public sealed class MemorySharedCache : ISharedCache
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Key, int Bytes)> Writes { get; } = new();

    public byte[]? Read(string key) => _values.TryGetValue(key, out var value) ? value : null;

    public void Write(string key, byte[] value)
    {
        _values[key] = value;
        Writes.Enqueue((key, value.Length));
    }
}
