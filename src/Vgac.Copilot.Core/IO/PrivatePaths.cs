namespace Vgac.Copilot.Core.IO;

/// <summary>
/// How vgac makes the files and folders it keeps (logs, the audit trail, caches, the key, history): folders it
/// creates are 0700 and files it creates 0600, so another user on the machine can read none of them. A folder that
/// already exists is never changed, whoever made it (a log folder named <c>/tmp</c> must stay usable by everyone
/// else); when it is open to other users, the caller is told so, to warn. On Windows the folder's inherited ACL applies.
/// </summary>
public static class PrivatePaths
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="folder"/> and every missing folder above it, each 0700; changes no folder that exists.
    /// </summary>
    /// <returns>A warning when the folder existed already and other users may enter it; null otherwise.</returns>
    public static string? EnsureFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return null;
        }

        if (Directory.Exists(full))
        {
            var mode = File.GetUnixFileMode(full);
            return (mode & Others) != 0
                ? $"the folder {full} is open to other users (mode {Octal(mode)}); vgac leaves the mode of a folder it did not create alone, so choose a folder of your own to keep its files private."
                : null;
        }

        if (Path.GetDirectoryName(full) is { } parent && parent != full)
        {
            EnsureFolder(parent);
        }

        Directory.CreateDirectory(full, OwnerFolder);
        return null;
    }

    /// <summary>Creates <paramref name="file"/> empty with mode 0600 if it does not exist (its folder as <see cref="EnsureFolder"/>); an existing file is left as it is.</summary>
    /// <returns>Whether this call created it.</returns>
    public static bool EnsureFile(string file)
    {
        var full = Path.GetFullPath(file);
        EnsureFolder(Path.GetDirectoryName(full)!);
        if (File.Exists(full))
        {
            return false;
        }

        try
        {
            using var created = new FileStream(full, CreateOptions(FileMode.CreateNew, FileAccess.Write));
            return true;
        }
        catch (IOException) when (File.Exists(full))
        {
            return false; // another process made it a moment ago
        }
    }

    /// <summary>Options that create a file 0600 (the mode is ignored on Windows).</summary>
    public static FileStreamOptions CreateOptions(FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }

        return options;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}
