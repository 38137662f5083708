using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Loop;

/// <summary>
/// One watch loop per audit trail: two would number their cycles from the same last cycle and interleave them.
/// Held as an exclusively opened file beside the database for the life of the loop; the operating system releases
/// it when the process dies, so a crash never leaves a held lock, and a loop that ends removes the file itself.
/// </summary>
public sealed class WatchLock : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;

    private WatchLock(FileStream file, string path) => (_file, _path) = (file, path);

    /// <summary>Takes the lock, or says who holds it.</summary>
    /// <exception cref="WatchAlreadyRunningException">Another process is watching this audit trail.</exception>
    /// <param name="auditPath">The trail.</param>
    /// <param name="cluster">The cluster watched: one loop per cluster and trail, so two processes may watch two clusters.</param>
    public static WatchLock Acquire(string auditPath, string cluster = AuditStore.DefaultCluster)
    {
        var path = cluster == AuditStore.DefaultCluster ? auditPath + ".watch.lock" : $"{auditPath}.{cluster}.watch.lock";
        Core.IO.PrivatePaths.EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            var file = new FileStream(path, Core.IO.PrivatePaths.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }

            file.Flush();
            return new WatchLock(file, path);
        }
        catch (IOException ex) when (IsContention(ex))
        {
            var holder = TryRead(path);
            throw new WatchAlreadyRunningException(
                $"another vgac watch{(holder is null ? "" : $" (process {holder})")} is already watching {(cluster == AuditStore.DefaultCluster ? "" : $"cluster {cluster} in ")}the audit trail {auditPath}; stop it first, or give this one its own --audit-db.");
        }
    }

    /// <summary>
    /// The lock is held elsewhere (EWOULDBLOCK from flock on Linux 11, macOS 35; a sharing or lock violation on
    /// Windows), as opposed to any other I/O failure, which is reported as itself.
    /// </summary>
    private static bool IsContention(IOException ex) => ex.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static string? TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Trim() is { Length: > 0 } pid ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes the file while still holding it, then lets go: a process that opens the path after the removal makes
    /// a new file and takes that; one that opened it before found it held and said so.
    /// </summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, it holds nothing: the lock is the open file, and it closes below.
        }

        _file.Dispose();
    }
}

/// <summary>Another <c>vgac watch</c> holds the audit trail.</summary>
public sealed class WatchAlreadyRunningException(string message) : Exception(message);
