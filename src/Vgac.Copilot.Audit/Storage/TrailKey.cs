using System.Security.Cryptography;
using System.Text;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>
/// The key the audit trail's hash chain is kept with: each record's link is an HMAC-SHA256 under it, so someone who
/// can write the store but does not hold the key (a second user of a shared database, a copied file) cannot rewrite a
/// record and re-link the chain after it. Kept outside the store: <c>VGAC_AUDIT_KEY</c> (a team's shared secret), or a
/// key file (<c>Storage:AuditKeyFile</c>; by default <c>audit.key</c> in the user's configuration folder, created 0600
/// on first use).
/// </summary>
public sealed class TrailKey
{
    /// <summary>What a keyed link starts with; a link without it is a plain SHA-256 from before the trail was keyed.</summary>
    public const string Prefix = "k1:";

    /// <summary>The shortest key accepted (a passphrase shorter than this is guessable offline against the trail).</summary>
    public const int MinimumLength = 32;

    private const int MaxFileBytes = 4096;
    private readonly byte[] _key;

    private readonly ThreadLocal<IncrementalHash> _hmac;

    private TrailKey(byte[] key, string origin)
    {
        _key = key;
        Origin = origin;
        _hmac = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
    }

    /// <summary>Where the key came from, for people (never the key).</summary>
    public string Origin { get; }

    /// <summary>A key from text (at least <see cref="MinimumLength"/> characters).</summary>
    public static TrailKey FromText(string text, string origin) =>
        text.Trim().Length >= MinimumLength ? new TrailKey(Encoding.UTF8.GetBytes(text.Trim()), origin)
        : throw new AuditStoreException($"the audit key from {origin} is shorter than {MinimumLength} characters.");

    /// <summary>The keyed link of <paramref name="text"/>: <see cref="Prefix"/> and the HMAC in lower-case hex.</summary>
    public string Mac(string text) => Mac(Encoding.UTF8.GetBytes(text));

    /// <summary>The keyed link of <paramref name="bytes"/> (one keyed HMAC per thread, reset after each use rather than keyed again).</summary>
    public string Mac(ReadOnlySpan<byte> bytes)
    {
        var hmac = _hmac.Value!;
        hmac.AppendData(bytes);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return string.Concat(Prefix, Convert.ToHexStringLower(mac));
    }

    /// <summary>The HMAC of <paramref name="bytes"/> into <paramref name="destination"/> (32 bytes), for a check that compares without making text.</summary>
    public void Mac(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var hmac = _hmac.Value!;
        hmac.AppendData(bytes);
        hmac.GetHashAndReset(destination);
    }

    /// <summary>
    /// The key in force: <see cref="StorageOptions.AuditKey"/> (<c>VGAC_AUDIT_KEY</c>) if set; else the key file, made
    /// (32 random bytes, base64, mode 0600, in a 0700 folder of vgac's making) when it does not exist yet; else none.
    /// </summary>
    /// <exception cref="AuditStoreException">The key is too short, or its file cannot be read or made.</exception>
    /// <summary>
    /// Makes a new key file whole before it has its name: written under a name of its own, then moved into place
    /// without replacing one (a link, atomic), so a process that reads the key never sees it half written. When
    /// another process made it first, that one is kept.
    /// </summary>
    private static void Create(string file)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        Core.IO.PrivatePaths.EnsureFolder(folder);
        var draft = Path.Combine(folder, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.new");
        try
        {
            using (var created = new FileStream(draft, Core.IO.PrivatePaths.CreateOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                created.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
                created.Flush(flushToDisk: true);
            }

            File.Move(draft, file, overwrite: false);
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another process made it a moment ago: use that one.
        }
        finally
        {
            File.Delete(draft);
        }
    }

    public static TrailKey? Resolve(StorageOptions options)
    {
        if (options.AuditKey is { Length: > 0 } text)
        {
            return FromText(text, "VGAC_AUDIT_KEY (Storage:AuditKey)");
        }

        if (options.AuditKeyFile is not { Length: > 0 } file)
        {
            return null;
        }

        try
        {
            if (!File.Exists(file))
            {
                Create(file);
            }

            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                throw new AuditStoreException($"the audit key file {file} is larger than {MaxFileBytes} bytes; it should hold one key.");
            }

            return FromText(File.ReadAllText(file), $"key file {file}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AuditStoreException($"the audit key file {file} cannot be read or made: {ex.Message}", ex);
        }
    }
}
