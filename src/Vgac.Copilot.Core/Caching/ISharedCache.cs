namespace Vgac.Copilot.Core.Caching;

/// <summary>
/// A few small values shared by the processes of one user (one VGAC, one audit trail): a one-shot command such as
/// <c>vgac predict</c> reuses the calibration and the fitted wait intervals another run read moments ago, so its one
/// VGAC call is the prediction. What is read back is untrusted: every reader checks its age (by the timestamp inside,
/// against its own clock) and its values, and falls back to asking VGAC on any doubt. A re-check before an action
/// never reads it (<c>fresh: true</c> bypasses every cache).
/// </summary>
public interface ISharedCache
{
    /// <summary>The bytes last written under <paramref name="key"/>, or null (none, unreadable, or too large).</summary>
    byte[]? Read(string key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; a failure is ignored (a cache is a convenience).</summary>
    void Write(string key, byte[] value);
}

/// <summary>No sharing: each process keeps its own caches (long-lived hosts, tests).</summary>
public sealed class NoSharedCache : ISharedCache
{
    public byte[]? Read(string key) => null;

    public void Write(string key, byte[] value)
    {
    }
}

/// <summary>Shared values as source-generated JSON: one way to write them, and one way to read them back distrustfully.</summary>
public static class SharedCacheJson
{
    /// <summary>The value under <paramref name="key"/> if it parses and <paramref name="accept"/> holds for it; else null.</summary>
    public static T? Read<T>(this ISharedCache cache, string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Func<T, bool> accept)
        where T : class
    {
        if (cache.Read(key) is not { Length: > 0 } bytes)
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(bytes, type) is { } value && accept(value) ? value : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static void Write<T>(this ISharedCache cache, string key, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        cache.Write(key, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, type));

    /// <summary>Forgets the value under <paramref name="key"/> for every run (an empty value is a miss).</summary>
    public static void Forget(this ISharedCache cache, string key) => cache.Write(key, []);
}
