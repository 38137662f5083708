using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

/// <summary>Guard construction for tests: the production policy over given options.</summary>
internal static class TestGuards
{
    public static GuardPolicy Policy(Action<GuardOptions>? configure = null)
    {
        var options = new GuardOptions();
        configure?.Invoke(options);
        return new GuardPolicy(Options.Create(options));
    }

    public static CalibrationFacts Calibrated(double ece, int samples = 1000) => new(ece, null, samples, IsCalibrated: true);

    public static PredictionFacts Prediction(double p, double c = 0.9, bool calibrated = true) => PredictionFacts.FromVgac(p, c, calibrated);
}
