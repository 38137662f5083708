namespace Vgac.Copilot.Calibration;

/// <summary>One equal-mass bin of the reliability curve.</summary>
public sealed record ReliabilityBin(int Count, double MeanPredicted, double ObservedRate, double MinPredicted, double MaxPredicted)
{
    /// <summary>|observed − predicted| in this bin.</summary>
    public double Gap => Math.Abs(ObservedRate - MeanPredicted);
}

/// <summary>Calibration and discrimination of a set of probabilities against 0/1 outcomes.</summary>
public sealed record CalibrationReport(
    int N,
    double PositiveRate,
    double Ece,
    double Mce,
    double Brier,
    double BrierReliability,
    double BrierResolution,
    double BrierUncertainty,
    double Auroc,
    double Auprc,
    IReadOnlyList<ReliabilityBin> ReliabilityCurve);
