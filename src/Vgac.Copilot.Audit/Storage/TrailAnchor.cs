using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>A point of the chain: a record's id and its link (and, for a verified point, the record's time).</summary>
public sealed record AnchorPoint(long Id, string Hash, DateTimeOffset? At = null);

/// <summary>What a trail's anchor holds: the newest record a writer here appended, and the newest a check verified.</summary>
public sealed record AnchorState(AnchorPoint? Written, AnchorPoint? Verified);

/// <summary>
/// The trail's tip, kept outside the store beside the key: after every append the writer records the newest id and
/// link it knows, and <c>audit --check</c> the newest it verified. A trail whose tail was cut (every execution deleted,
/// say) or that was rewritten from some point on no longer reaches, or no longer matches, its anchor. One small JSON
/// file per trail (named by a hash of the trail's location), updated under an exclusive open, only ever forward.
/// </summary>
public sealed class TrailAnchor(string file)
{
    /// <summary>The anchor file of the trail at <paramref name="location"/> in <paramref name="directory"/>, or null without a folder.</summary>
    public static TrailAnchor? For(string? directory, string location) =>
        directory is { Length: > 0 }
            ? new TrailAnchor(Path.Combine(directory, "anchors", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(location)))[..16] + ".json"))
            : null;

    public string File { get; } = file;

    /// <summary>What the anchor holds (nothing yet: both null); an unreadable file reads as nothing.</summary>
    public AnchorState Read()
    {
        try
        {
            return System.IO.File.Exists(File) ? Parse(System.IO.File.ReadAllBytes(File)) : new AnchorState(null, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new AnchorState(null, null);
        }
    }

    /// <summary>Moves the written point forward to <paramref name="tip"/> (never back).</summary>
    public void Wrote(AnchorPoint tip) => Update(s => s.Written is { } w && w.Id >= tip.Id ? s : s with { Written = tip });

    /// <summary>Moves the verified point forward to <paramref name="point"/> (never back).</summary>
    public void Checked(AnchorPoint point) => Update(s => s.Verified is { } v && v.Id >= point.Id ? s : s with { Verified = point });

    private void Update(Func<AnchorState, AnchorState> change)
    {
        Core.IO.PrivatePaths.EnsureFolder(Path.GetDirectoryName(File)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var stream = new FileStream(File, Core.IO.PrivatePaths.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                var bytes = new byte[Math.Min(stream.Length, 64 * 1024)];
                stream.ReadExactly(bytes);
                var before = bytes.Length == 0 ? new AnchorState(null, null) : Parse(bytes);
                var after = change(before);
                if (after == before && bytes.Length > 0)
                {
                    return;
                }

                stream.SetLength(0);
                stream.Write(Serialize(after));
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(10); // another writer holds it for a moment
            }
        }
    }

    private static AnchorState Parse(byte[] bytes)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes);
            static AnchorPoint? Point(JsonElement root, string name) =>
                root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("id", out var id) && id.TryGetInt64(out var value) && p.TryGetProperty("hash", out var hash) && hash.GetString() is { } link
                    ? new AnchorPoint(value, link, p.TryGetProperty("at", out var at) && at.TryGetDateTimeOffset(out var when) ? when : null) : null;
            return new AnchorState(Point(json.RootElement, "written"), Point(json.RootElement, "verified"));
        }
        catch (JsonException)
        {
            return new AnchorState(null, null);
        }
    }

    private static byte[] Serialize(AnchorState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, point) in new[] { ("written", state.Written), ("verified", state.Verified) })
            {
                if (point is not null)
                {
                    json.WriteStartObject(name);
                    json.WriteNumber("id", point.Id);
                    json.WriteString("hash", point.Hash);
                    if (point.At is { } at)
                    {
                        json.WriteString("at", at);
                    }

                    json.WriteEndObject();
                }
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
