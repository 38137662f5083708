using System.Text.Json.Serialization.Metadata;

namespace Vgac.Copilot.Core.Caching;

/// <summary>
/// One value the guards read from VGAC (the calibration, the cluster's inventory), kept for this process and shared
/// with the user's other runs (<see cref="ISharedCache"/>), used only while fresh. A hit allocates nothing; a miss
/// reads it once however many callers wait; <c>fresh: true</c> (a re-check before an action) bypasses both caches.
/// Only a usable value is shared; what another run wrote is taken only if <c>accept</c> holds for it and it is not
/// from the future.
/// </summary>
/// <typeparam name="T">The value; it carries when it was read.</typeparam>
public sealed class SharedValue<T>(
    ISharedCache shared, string key, JsonTypeInfo<T> type, TimeProvider time,
    Func<T, DateTimeOffset> readAt, Func<T, bool> usable, Func<T, TimeSpan> lasts, Func<T, bool> accept)
    where T : class
{
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>The value in force as a completed task, so that a hit (every prediction's case) allocates nothing.</summary>
    private Task<T>? _cached;

    /// <param name="read">Reads the value from its source.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="fresh">Read it now, whatever is cached.</param>
    public Task<T> GetAsync(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken, bool fresh = false) =>
        !fresh && _cached is { } hit && Fresh(hit.Result) is not null ? hit : GetUncachedAsync(read, cancellationToken, fresh);

    /// <summary>Forgets the value here and for the user's other runs: the next read goes to the source.</summary>
    public void Forget()
    {
        _cached = null;
        shared.Forget(key);
    }

    private async Task<T> GetUncachedAsync(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken, bool fresh)
    {
        if (fresh)
        {
            return Remember(Share(await read(cancellationToken).ConfigureAwait(false)));
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Remember(Fresh(_cached?.Result) ?? Fresh(FromShared()) ?? Share(await read(cancellationToken).ConfigureAwait(false)));
        }
        finally
        {
            _refresh.Release();
        }
    }

    private T Remember(T value)
    {
        if (!ReferenceEquals(_cached?.Result, value))
        {
            _cached = Task.FromResult(value);
        }

        return value;
    }

    private T Share(T value)
    {
        if (usable(value))
        {
            shared.Write(key, value, type);
        }

        return value;
    }

    private T? FromShared() => shared.Read(key, type, v => usable(v) && accept(v) && readAt(v) <= time.GetUtcNow().AddSeconds(5));

    private T? Fresh(T? value) => value is not null && time.GetUtcNow() - readAt(value) < lasts(value) ? value : null;
}
