using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

public sealed class PlatformBaselineTests
{
    [Fact]
    public void Load_ValidFiles_ReadsBaselineAndManifest()
    {
        var root = Platform(
            """{"last_known_good_ece": 0.018, "last_known_good_time": 1766071523.4189, "updated_at": "2025-12-18T10:25:23.419016"}""",
            """{"model_version": "v3.0-phase2-eks", "metrics": {"auroc_raw": 0.801, "auroc_calibrated": 0.783, "ece_raw": 0.098, "ece_calibrated": 0.115}, "thresholds": {"operating_threshold": 0.5, "confidence_threshold": 0.6}}""");

        var baseline = PlatformBaseline.Load(root);

        Assert.Empty(baseline.Warnings);
        Assert.Equal(0.018, baseline.LastKnownGoodEce);
        Assert.Equal(new DateTimeOffset(2025, 12, 18, 15, 25, 23, 418, TimeSpan.Zero), baseline.LastKnownGoodTime!.Value, TimeSpan.FromMilliseconds(2));
        Assert.Equal("v3.0-phase2-eks", baseline.ModelVersion);
        Assert.Equal((0.801, 0.783, 0.098, 0.115), (baseline.AurocRaw!.Value, baseline.AurocCalibrated!.Value, baseline.EceRaw!.Value, baseline.EceCalibrated!.Value));
        Assert.Equal((0.5, 0.6), (baseline.OperatingThreshold!.Value, baseline.ConfidenceThreshold!.Value));
    }

    [Fact]
    public void Load_MissingFiles_WarnsNamingEachFile()
    {
        var root = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-platform-");

        var baseline = PlatformBaseline.Load(root);

        Assert.Null(baseline.LastKnownGoodEce);
        Assert.Contains(baseline.Warnings, w => w.Contains("safeguard_state.json: not found", StringComparison.Ordinal));
        Assert.Contains(baseline.Warnings, w => w.Contains("manifest.json: not found", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MalformedState_WarnsAndKeepsDefault()
    {
        var root = Platform("{ not json", """{"model_version": "v3"}""");

        var baseline = PlatformBaseline.Load(root);

        Assert.Null(baseline.LastKnownGoodEce);
        Assert.Contains(baseline.Warnings, w => w.Contains("safeguard_state.json: malformed JSON", StringComparison.Ordinal));
        Assert.Equal("v3", baseline.ModelVersion);
    }

    [Fact]
    public void AddCopilotCore_WithPlatformPath_UsesThePlatformBaseline()
    {
        var root = Platform("""{"last_known_good_ece": 0.025}""", "{}");
        using var provider = GuardOptionsTests.Build(new Dictionary<string, string?> { ["Platform:Path"] = root });

        Assert.Equal(0.025, provider.GetRequiredService<GuardPolicy>().Options.BaselineEce);
    }

    [Fact]
    public void AddCopilotCore_WithBrokenPlatformFile_KeepsConfiguredBaseline()
    {
        var root = Platform("""{"last_known_good_ece": "high"}""", "{}");
        using var provider = GuardOptionsTests.Build(new Dictionary<string, string?> { ["Platform:Path"] = root, ["Guards:BaselineEce"] = "0.015" });

        Assert.Equal(0.015, provider.GetRequiredService<GuardPolicy>().Options.BaselineEce);
    }

    private static string Platform(string state, string manifest)
    {
        var root = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-platform-");
        var models = Directory.CreateDirectory(Path.Combine(root, "models", "production")).FullName;
        File.WriteAllText(Path.Combine(models, "safeguard_state.json"), state);
        File.WriteAllText(Path.Combine(models, "manifest.json"), manifest);
        return root;
    }
}
