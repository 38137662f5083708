using System.Text;
using Vgac.Copilot.Core.Caching;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// <see cref="ISharedCache"/> as files in the data folder's <c>cache</c> directory, one per key and scope (the VGAC
/// URL and the audit trail, hashed (<see cref="Fnv1a"/>): neither a URL's userinfo nor a path appears in a file name). Written whole to a
/// temporary file and renamed, so a reader sees an old value or a new one, never half of one; readable by the user
/// only; larger than <see cref="MaxBytes"/> is refused. Files a day old are removed as new ones are written. Each file
/// starts with an HMAC of its value under the trail's key (<see cref="Audit.Storage.TrailKey"/>): a file planted or
/// edited by someone without the key (a calm calibration during drift, say) reads as a miss. Without a key nothing is shared.
/// </summary>
internal sealed class FileSharedCache(string directory, string scope, Func<Audit.Storage.TrailKey?> key) : ISharedCache
{
    private readonly Lazy<Audit.Storage.TrailKey?> _key = new(() =>
    {
        try
        {
            return key();
        }
        catch (Audit.Storage.AuditStoreException)
        {
            return null; // the store reports a bad key where it is used; the cache simply is not shared
        }
    });

    public const int MaxBytes = 4 * 1024 * 1024;

    private readonly string _prefix = Fnv1a(scope);

    public string Directory { get; } = directory;

    public byte[]? Read(string key)
    {
        if (_key.Value is not { } mac)
        {
            return null;
        }

        try
        {
            var file = new FileInfo(PathOf(key));
            if (!file.Exists || file.Length > MaxBytes)
            {
                return null;
            }

            var bytes = File.ReadAllBytes(file.FullName);
            var end = Array.IndexOf(bytes, (byte)'\n');
            if (end < 0)
            {
                return null;
            }

            var value = bytes.AsSpan(end + 1);
            return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes.AsSpan(0, end), Encoding.ASCII.GetBytes(mac.Mac(value))) ? value.ToArray() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string key, byte[] value)
    {
        if (value.Length > MaxBytes)
        {
            return;
        }

        if (_key.Value is not { } mac)
        {
            return;
        }

        var path = PathOf(key);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Core.IO.PrivatePaths.EnsureFolder(Directory);
            using (var stream = new FileStream(temporary, Core.IO.PrivatePaths.CreateOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(Encoding.ASCII.GetBytes(mac.Mac(value) + "\n"));
                stream.Write(value);
            }

            File.Move(temporary, path, overwrite: true);
            Prune();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
        }
    }

    private string PathOf(string key) => Path.Combine(Directory, $"{_prefix}-{key}.json");

    private void Prune()
    {
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*", SearchOption.TopDirectoryOnly))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > TimeSpan.FromDays(1))
            {
                TryDelete(file.FullName);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or not ours to remove: either way nothing is lost.
        }
    }

    /// <summary>
    /// The scope's file-name prefix: 64-bit FNV-1a of its UTF-8 bytes. A name, not a protection (the folder is the
    /// user's own); a cryptographic hash would load OpenSSL, about 5 ms of every one-shot run.
    /// </summary>
    internal static string Fnv1a(string scope)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(scope))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
