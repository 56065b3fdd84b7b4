using Prometheus;
using Serving.Core.Outcomes;

namespace Serving.Gateway.ConceptDrift;

/// <summary>
/// One version's concept-drift detector: its error stream, the Page–Hinkley detector, a recent error average and
/// the alarm. Every member is used under <see cref="Gate"/>.
/// </summary>
internal sealed class VersionConceptDrift(string model, string version, ConceptDriftOptions options)
{
    /// <summary>The weight of the newest error in <see cref="RecentError"/>: an exponential average over about 100.</summary>
    private const double RecentWeight = 0.01;

    private readonly Gauge.Child _statistic = ConceptDriftMetrics.Statistic.WithLabels(model, version);
    private readonly Gauge.Child _errorRate = ConceptDriftMetrics.ErrorRate.WithLabels(model, version);
    private readonly Counter.Child _labelled = ConceptDriftMetrics.Labelled.WithLabels(model, version);

    public Lock Gate { get; } = new();

    public string Model { get; } = model;

    public string Version { get; } = version;

    public PredictionErrorStream Errors { get; } = new(options.DecisionThreshold, options.RegressorScaleObservations);

    public PageHinkleyDetector Detector { get; } = new(new PageHinkleyOptions
    {
        Delta = options.Delta,
        Threshold = options.Threshold,
        MinimumObservations = options.MinimumObservations,
    });

    public long Labelled { get; private set; }

    public double RecentError { get; private set; } = double.NaN;

    public DateTimeOffset? Since { get; set; }

    public DateTimeOffset? LastDetectionAt { get; set; }

    public long Detections { get; set; }

    public string? Description { get; set; }

    /// <summary>
    /// Takes one labelled prediction; returns the detector's baseline mean and count just before a detection, or
    /// null when this prediction signalled none.
    /// </summary>
    public (double BaselineError, long Observations)? Add(LabelledPrediction prediction)
    {
        Labelled++;
        _labelled.Inc();
        if (!Errors.TryGetError(prediction.Score, prediction.Label, out double error))
        {
            return null;
        }

        RecentError = double.IsNaN(RecentError) ? error : RecentError + (RecentWeight * (error - RecentError));
        _errorRate.Set(RecentError);
        (double baseline, long count) = (Detector.Mean, Detector.Count);
        bool detected = Detector.Add(error);
        _statistic.Set(Detector.Statistic);
        return detected ? (baseline, count) : null;
    }

    /// <summary>The admin view.</summary>
    public ConceptDriftStatus Status() => new()
    {
        State = Since is null ? "ok" : "firing",
        Kind = Errors.Classifier switch { true => "classifier", false => "regressor", null => "unknown" },
        Labelled = Labelled,
        Observations = Detector.Count,
        BaselineError = Detector.Count == 0 ? double.NaN : Detector.Mean,
        RecentError = RecentError,
        Statistic = Detector.Statistic,
        Threshold = options.Threshold,
        Delta = options.Delta,
        Detections = Detections,
        Since = Since,
        LastDetectionAt = LastDetectionAt,
        Description = Description,
    };
}
