using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>What vgac creates is the user's alone (folders 0700, files 0600); what it did not create it never changes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;
    /// <summary>The system temp folder's mode (1777): open to all, sticky.</summary>
    private const UnixFileMode Open = UnixFileMode.StickyBit | (UnixFileMode)0b111_111_111;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StorageMigrate_NewSqliteTrail_File0600_FoldersItCreated0700()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var root = TestPaths.NewFolder("private-");
        var db = Path.Combine(root, "made", "by", "vgac", "audit.db");

        var result = await CliHarness.RunAsync(["storage", "migrate"], new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = db }, Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(Private, File.GetUnixFileMode(db));
        Assert.All(Directory.EnumerateFiles(Path.GetDirectoryName(db)!), f => Assert.Equal(Private, File.GetUnixFileMode(f)));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.Combine(root, "made")));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.GetDirectoryName(db)!));
    }

    [Fact]
    public async Task LogDirectory_ExistingFolderOpenToOthers_ModeLeftAlone_WarningLogged_LogFile0600()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var shared = TestPaths.NewFolder("shared-logs-");
        File.SetUnixFileMode(shared, Open);

        var result = await CliHarness.RunAsync(["predict", "--vgac-url", "http://127.0.0.1:1", "--gpus", "1"], new Dictionary<string, string> { ["VGAC_LOG_DIR"] = shared }, Ct);

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Equal(Open, File.GetUnixFileMode(shared));
        var log = Assert.Single(Directory.GetFiles(shared, "vgac-*.log"));
        Assert.Equal(Private, File.GetUnixFileMode(log));
        Assert.Contains("is open to other users (mode 1777)", await File.ReadAllTextAsync(log, Ct), StringComparison.Ordinal);
    }
}
