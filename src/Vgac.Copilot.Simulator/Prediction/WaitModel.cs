using Vgac.Copilot.Calibration;

namespace Vgac.Copilot.Simulator.Prediction;

/// <summary>A labelled example: queue features at submit, and what happened.</summary>
internal readonly record struct WaitSample(double SubmitAt, double PendingRatio, int PendingAtSubmit, double WaitSeconds, int Label)
{
    /// <summary>Model inputs: pending_ratio and log1p(pending_at_submit) (the count is heavy-tailed).</summary>
    public double[] Features => [PendingRatio, Math.Log(1 + PendingAtSubmit)];

    public static double[] FeaturesOf(double pendingRatio, int pendingAtSubmit) => [pendingRatio, Math.Log(1 + pendingAtSubmit)];
}

/// <summary>How a fit went, measured on a held-out quarter of the samples (half trains, a quarter calibrates).</summary>
public sealed record ModelFitReport(
    string ModelVersion,
    double FittedAtSeconds,
    int Samples,
    double PositiveRate,
    double AurocRaw,
    double AurocCalibrated,
    double EceRaw,
    double EceCalibrated,
    double[] Coefficients);

/// <summary>
/// VGAC's model shape: a logistic regression on (pending_ratio, pending_at_submit) and an isotonic calibrator,
/// fitted on finished jobs of the simulation itself.
/// </summary>
internal sealed class WaitModel
{
    public const int MinimumSamples = 400;

    private readonly LogisticRegression _regression;
    private readonly IsotonicRegression _calibrator;
    private readonly IReadOnlyList<WaitSample> _calibrationSet;
    private readonly double _shortWaitMedian;
    private readonly double _longWaitMedian;
    private readonly double[] _calibratedScores;

    /// <summary>Calibrated scores this close count as support for a prediction.</summary>
    private const double SupportRadius = 0.15;

    private WaitModel(LogisticRegression regression, IsotonicRegression calibrator, IReadOnlyList<WaitSample> calibrationSet, ModelFitReport report)
    {
        _regression = regression;
        _calibrator = calibrator;
        _calibrationSet = calibrationSet;
        Report = report;
        _shortWaitMedian = Median(calibrationSet.Where(s => s.Label == 0).Select(s => s.WaitSeconds));
        _longWaitMedian = Median(calibrationSet.Where(s => s.Label == 1).Select(s => s.WaitSeconds));
        _calibratedScores = [.. calibrationSet.Select(s => calibrator.Predict(regression.Predict(s.Features))).Order()];
    }

    public ModelFitReport Report { get; }

    public string Version => Report.ModelVersion;

    /// <summary>Fits on <paramref name="samples"/> (ordered by submit time); null when there are too few, or one class only.</summary>
    public static WaitModel? TryFit(IReadOnlyList<WaitSample> samples, string version, double now)
    {
        if (samples.Count < MinimumSamples)
        {
            return null;
        }

        // Interleaved split (2 of every 4 samples train, 1 calibrates, 1 tests), so the three sets see the same
        // hours of the day and the same load.
        var train = samples.Where((_, i) => i % 4 < 2).ToList();
        var calibrate = samples.Where((_, i) => i % 4 == 2).ToList();
        var test = samples.Where((_, i) => i % 4 == 3).ToList();
        if (new[] { train, calibrate, test }.Any(set => set.Count(s => s.Label == 1) < 5 || set.Count(s => s.Label == 0) < 5))
        {
            return null;
        }

        var regression = LogisticRegression.Fit([.. train.Select(s => s.Features)], [.. train.Select(s => s.Label)], balanced: true);
        var calibrator = IsotonicRegression.Fit([.. calibrate.Select(s => regression.Predict(s.Features))], [.. calibrate.Select(s => s.Label)]);

        var labels = test.Select(s => s.Label).ToArray();
        var raw = test.Select(s => regression.Predict(s.Features)).ToArray();
        var calibrated = raw.Select(calibrator.Predict).ToArray();
        var rawReport = CalibrationStatistics.Compute(raw, labels);
        var calibratedReport = CalibrationStatistics.Compute(calibrated, labels);
        var report = new ModelFitReport(
            version, now, samples.Count, samples.Average(s => s.Label),
            rawReport.Auroc, calibratedReport.Auroc, rawReport.Ece, calibratedReport.Ece, regression.Weights);
        return new WaitModel(regression, calibrator, calibrate, report);
    }

    /// <summary>Predicts for the current queue. <paramref name="logitBias"/> is injected drift (0 normally).</summary>
    public ModelOutput Predict(double pendingRatio, int pendingAtSubmit, double logitBias)
    {
        var features = WaitSample.FeaturesOf(pendingRatio, pendingAtSubmit);
        var raw = _regression.Predict(features);
        var (value, block) = _calibrator.Interpolate(raw);
        var p = logitBias == 0 ? value : LogisticRegression.Sigmoid(LogisticRegression.Logit(value) + logitBias);

        // Confidence: how much calibration data backs this score (support), times how decisive it is (sharpness).
        // Support counts the calibration samples whose calibrated score lies near this one, not only the isotonic
        // block's own members: high-probability blocks are narrow (few long waits each) though many samples agree.
        var near = Neighbours(value);
        var support = near / (near + 5.0);
        var sharpness = 0.5 + Math.Abs(p - 0.5);
        var confidence = Math.Clamp(support * sharpness * 1.15, 0, 1);

        var waits = block.Members.Select(i => _calibrationSet[i].WaitSeconds).Order().ToArray();
        var range = waits.Length == 0
            ? new Dictionary<string, double>()
            : new Dictionary<string, double> { ["p10"] = Quantile(waits, 0.1), ["p50"] = Quantile(waits, 0.5), ["p90"] = Quantile(waits, 0.9) };
        var estimate = p * _longWaitMedian + (1 - p) * _shortWaitMedian;
        var contributions = _regression.Contributions(features);
        return new ModelOutput(p, raw, confidence, estimate, range, contributions, features);
    }

    /// <summary>Calibration samples whose calibrated score is within <see cref="SupportRadius"/> of <paramref name="value"/>.</summary>
    private int Neighbours(double value)
    {
        var from = LowerBound(_calibratedScores, value - SupportRadius);
        var to = LowerBound(_calibratedScores, value + SupportRadius + 1e-12);
        return to - from;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        var i = Array.BinarySearch(sorted, value);
        if (i < 0)
        {
            return ~i;
        }

        while (i > 0 && sorted[i - 1] == value)
        {
            i--;
        }

        return i;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : Quantile(sorted, 0.5);
    }

    private static double Quantile(double[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
}

/// <summary>Everything one prediction produces before it is shaped into a response.</summary>
internal sealed record ModelOutput(
    double Probability,
    double RawScore,
    double Confidence,
    double EstimatedWaitSeconds,
    IReadOnlyDictionary<string, double> WaitRange,
    double[] Contributions,
    double[] Features);
