using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>Figures read from the VGAC platform's model folder, when <c>VGAC_PLATFORM_PATH</c> is set.</summary>
public sealed record PlatformBaseline(
    double? LastKnownGoodEce,
    DateTimeOffset? LastKnownGoodTime,
    string? ModelVersion,
    double? AurocRaw,
    double? AurocCalibrated,
    double? EceRaw,
    double? EceCalibrated,
    double? OperatingThreshold,
    double? ConfidenceThreshold,
    IReadOnlyList<string> Warnings)
{
    public const string SafeguardStateFile = "models/production/safeguard_state.json";
    public const string ManifestFile = "models/production/manifest.json";

    /// <summary>
    /// Reads <c>safeguard_state.json</c> (<c>last_known_good_ece</c>, <c>last_known_good_time</c>) and
    /// <c>manifest.json</c> (model version, AUROC and ECE raw/calibrated, thresholds; keys at the top level or
    /// under <c>metrics</c>/<c>thresholds</c>). A missing or malformed file is a warning naming it, never a failure.
    /// </summary>
    public static PlatformBaseline Load(string platformPath, ILogger? logger = null)
    {
        var warnings = new List<string>();
        var state = ReadJson(Path.Combine(platformPath, SafeguardStateFile), warnings);
        var manifest = ReadJson(Path.Combine(platformPath, ManifestFile), warnings);

        var ece = Number(state, "last_known_good_ece");
        if (state is not null && ece is not (> 0 and < 1))
        {
            warnings.Add($"{Path.Combine(platformPath, SafeguardStateFile)}: last_known_good_ece is missing or not in (0, 1); using the configured baseline.");
            ece = null;
        }

        DateTimeOffset? time = Number(state, "last_known_good_time") is { } epoch ? DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000)) : null;
        var baseline = new PlatformBaseline(
            ece, time,
            Text(manifest, "model_version") ?? Text(manifest, "version"),
            Number(manifest, "auroc_raw"), Number(manifest, "auroc_calibrated"),
            Number(manifest, "ece_raw"), Number(manifest, "ece_calibrated"),
            Number(manifest, "operating_threshold") ?? Number(manifest, "threshold"),
            Number(manifest, "confidence_threshold"),
            warnings);
        foreach (var warning in warnings)
        {
            logger?.LogWarning("{Warning}", warning);
        }

        return baseline;
    }

    private static JsonElement? ReadJson(string path, List<string> warnings)
    {
        if (!File.Exists(path))
        {
            warnings.Add($"{path}: not found; using the configured defaults.");
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : Warn(warnings, $"{path}: expected a JSON object; using the configured defaults.");
        }
        catch (JsonException ex)
        {
            return Warn(warnings, $"{path}: malformed JSON ({ex.Message}); using the configured defaults.");
        }
    }

    private static JsonElement? Warn(List<string> warnings, string warning)
    {
        warnings.Add(warning);
        return null;
    }

    /// <summary>A number at the top level or one level down (metrics, thresholds, …).</summary>
    private static double? Number(JsonElement? root, string name) =>
        Find(root, name) is { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    private static string? Text(JsonElement? root, string name) =>
        Find(root, name) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    private static JsonElement? Find(JsonElement? root, string name)
    {
        if (root is not { } r)
        {
            return null;
        }

        if (r.TryGetProperty(name, out var direct))
        {
            return direct;
        }

        foreach (var property in r.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty(name, out var nested))
            {
                return nested;
            }
        }

        return null;
    }
}
