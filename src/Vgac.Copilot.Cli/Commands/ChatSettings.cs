using Microsoft.Extensions.Configuration;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>Where the REPL keeps its history and saved sessions: <c>Chat:Directory</c> (<c>VGAC_DATA_DIR</c>), else the user's data folder.</summary>
internal sealed class ChatSettings
{
    public const string SectionName = "Chat";

    public string? Directory { get; set; }

    /// <summary>Whose saved sessions these are; by default whoever the store authenticated (the PostgreSQL role, or the OS user for a local file).</summary>
    public string? Owner { get; set; }

    public static string Resolve(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ChatSettings>()?.Directory is { Length: > 0 } directory
            ? directory
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "vgac");
}
