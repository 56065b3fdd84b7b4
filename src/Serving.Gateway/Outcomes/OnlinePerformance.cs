using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Outcomes;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// Online performance per model, version and variant: a window of the last <see cref="OutcomeOptions.Window"/>
/// labelled predictions judged with <see cref="ClassifierPerformance"/> or <see cref="RegressorPerformance"/>,
/// beside the version's offline metrics (metadata.json <c>metrics</c>) and the label-free estimate
/// (<see cref="ConfidenceBasedPerformance"/>) on its last predictions, labelled or not. Gauges are recomputed by
/// <see cref="Publish"/> after each feedback request and each batch of logged predictions, for windows that changed.
/// </summary>
internal sealed class OnlinePerformance : ILabelledPredictionObserver
{
    private static readonly string[] WindowLabels = ["model", "version", "variant", "metric"];

    public static readonly Gauge Realised = Prometheus.Metrics.CreateGauge(
        "serving_model_performance", "Online performance on the window of labelled predictions (metric: auc, log_loss, brier, accuracy, calibration_error, mae, rmse, labelled).",
        new GaugeConfiguration { LabelNames = WindowLabels });

    public static readonly Gauge Lower = Prometheus.Metrics.CreateGauge(
        "serving_model_performance_lower", "Lower end of the 95 % interval of serving_model_performance.", new GaugeConfiguration { LabelNames = WindowLabels });

    public static readonly Gauge Upper = Prometheus.Metrics.CreateGauge(
        "serving_model_performance_upper", "Upper end of the 95 % interval of serving_model_performance.", new GaugeConfiguration { LabelNames = WindowLabels });

    public static readonly Gauge Estimated = Prometheus.Metrics.CreateGauge(
        "serving_model_performance_estimated", "Label-free estimate (CBPE) on the window of recent predictions (metric: auc, accuracy).",
        new GaugeConfiguration { LabelNames = WindowLabels });

    public static readonly Gauge Offline = Prometheus.Metrics.CreateGauge(
        "serving_model_performance_offline", "The version's offline metric from its metadata.json.",
        new GaugeConfiguration { LabelNames = ["model", "version", "metric"] });

    private readonly ConcurrentDictionary<(string Model, string Version, string Variant), PerformanceWindow> _windows = new();
    private readonly OutcomeOptions _options;
    private readonly ModelHost _host;

    public OnlinePerformance(IOptions<OutcomeOptions> options, ModelHost host)
    {
        _options = options.Value;
        _host = host;
    }

    /// <summary>Adds a joined prediction to its window; one its model's kind cannot use is skipped.</summary>
    public void Observe(LabelledPrediction prediction)
    {
        if (_options.For(prediction.Model) is { } settings && Usable(settings.Kind, prediction.Score, prediction.Label))
        {
            WindowOf(prediction.Model, prediction.Version, prediction.Variant).AddLabelled(prediction.Score, prediction.Label);
        }
    }

    /// <summary>Adds a logged prediction to the label-free window of its version and variant.</summary>
    public void ObservePrediction(LoggedPrediction prediction)
    {
        if (_options.For(prediction.Model) is { } settings && Usable(settings.Kind, prediction.Score, 0))
        {
            WindowOf(prediction.Model, prediction.Version, prediction.Variant).AddPrediction(prediction.Score);
        }
    }

    /// <summary>Recomputes the gauges of every window that changed since the last call.</summary>
    public void Publish()
    {
        foreach (var ((model, version, variant), window) in _windows)
        {
            if (!window.TakeDirty() || _options.For(model) is not { } settings)
            {
                continue;
            }
            var described = Describe(model, version, variant, window, settings);
            Realised.WithLabels(model, version, variant, "labelled").Set(described.Labelled);
            foreach (var metric in described.Metrics)
            {
                Realised.WithLabels(model, version, variant, metric.Name).Set(metric.Value ?? double.NaN);
                if (metric.Lower is { } lower && metric.Upper is { } upper)
                {
                    Lower.WithLabels(model, version, variant, metric.Name).Set(lower);
                    Upper.WithLabels(model, version, variant, metric.Name).Set(upper);
                }
                if (metric.Estimated is { } estimate)
                {
                    Estimated.WithLabels(model, version, variant, metric.Name).Set(estimate);
                }
                if (metric.Offline is { } offline)
                {
                    Offline.WithLabels(model, version, metric.Name).Set(offline);
                }
            }
        }
    }

    /// <summary>The windows of <paramref name="model"/> (versions in order, then variants); null when its outcomes are off.</summary>
    public ModelPerformance? Describe(string model)
    {
        if (_options.For(model) is not { } settings)
        {
            return null;
        }
        var versions = new List<VersionPerformance>();
        foreach (var ((name, version, variant), window) in _windows)
        {
            if (name == model)
            {
                versions.Add(Describe(model, version, variant, window, settings));
            }
        }
        versions.Sort(static (a, b) =>
        {
            var byVersion = VersionOrder(a.Version).CompareTo(VersionOrder(b.Version));
            return byVersion != 0 ? byVersion : string.CompareOrdinal(a.Variant, b.Variant);
        });
        var classifier = settings.Kind == OutcomeKind.Classifier;
        return new ModelPerformance(model, classifier ? "classifier" : "regressor", classifier ? settings.Threshold : null, WindowSize, versions);
    }

    private int WindowSize => _options.Window;

    private PerformanceWindow WindowOf(string model, string version, string variant) =>
        _windows.GetOrAdd((model, version, variant), static (_, size) => new PerformanceWindow(size), WindowSize);

    private VersionPerformance Describe(string model, string version, string variant, PerformanceWindow window, OutcomeModelOptions settings)
    {
        var snapshot = window.Snapshot();
        var offline = OfflineMetrics(model, version);
        var metrics = settings.Kind == OutcomeKind.Classifier
            ? ClassifierMetrics(snapshot, settings.Threshold, offline)
            : RegressorMetrics(snapshot, offline);
        return new VersionPerformance(version, variant, snapshot.Scores.Length, snapshot.RecentScores.Length, snapshot.TotalLabelled, metrics);
    }

    private static List<PerformanceMetric> ClassifierMetrics(WindowSnapshot snapshot, double threshold, IReadOnlyDictionary<string, double>? offline)
    {
        var recent = snapshot.RecentScores;
        double? estimatedAuc = recent.Length == 0 ? null : Defined(ConfidenceBasedPerformance.ExpectedAuc(recent));
        double? estimatedAccuracy = recent.Length == 0 ? null : Defined(ConfidenceBasedPerformance.ExpectedAccuracy(recent, threshold));
        if (snapshot.Scores.Length == 0)
        {
            return
            [
                new("auc", null, null, null, Of(offline, "auc"), estimatedAuc),
                new("log_loss", null, null, null, Of(offline, "log_loss"), null),
                new("brier", null, null, null, Of(offline, "brier"), null),
                new("accuracy", null, null, null, Of(offline, "accuracy"), estimatedAccuracy),
                new("calibration_error", null, null, null, Of(offline, "calibration_error"), null),
            ];
        }
        var labels = new int[snapshot.Labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = (int)snapshot.Labels[i];
        }
        var p = ClassifierPerformance.Compute(snapshot.Scores, labels, threshold);
        return
        [
            Metric("auc", p.Auc, offline, estimatedAuc),
            Metric("log_loss", p.LogLoss, offline, null),
            Metric("brier", p.Brier, offline, null),
            Metric("accuracy", p.Accuracy, offline, estimatedAccuracy),
            new("calibration_error", Defined(p.CalibrationError), null, null, Of(offline, "calibration_error"), null),
        ];
    }

    private static List<PerformanceMetric> RegressorMetrics(WindowSnapshot snapshot, IReadOnlyDictionary<string, double>? offline)
    {
        if (snapshot.Scores.Length == 0)
        {
            return [new("mae", null, null, null, Of(offline, "mae"), null), new("rmse", null, null, null, Of(offline, "rmse"), null)];
        }
        var r = RegressorPerformance.Compute(snapshot.Scores, snapshot.Labels);
        return [Metric("mae", r.MeanAbsoluteError, offline, null), Metric("rmse", r.RootMeanSquaredError, offline, null)];
    }

    private static PerformanceMetric Metric(string name, IntervalEstimate estimate, IReadOnlyDictionary<string, double>? offline, double? estimated) =>
        new(name, Defined(estimate.Value), Defined(estimate.Lower), Defined(estimate.Upper), Of(offline, name), estimated);

    private IReadOnlyDictionary<string, double>? OfflineMetrics(string model, string version) =>
        _host.Catalog.TryGetModel(model, out var entry)
        && int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && entry.Find(number) is { } loaded
            ? loaded.Descriptor.Metadata.Metrics
            : null;

    private static double? Of(IReadOnlyDictionary<string, double>? metrics, string name) =>
        metrics is not null && metrics.TryGetValue(name, out var value) ? value : null;

    private static double? Defined(double value) => double.IsFinite(value) ? value : null;

    private static int VersionOrder(string version) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : int.MaxValue;

    /// <summary>A classifier takes probabilities in [0, 1] and labels 0 or 1; a regressor any finite numbers.</summary>
    public static bool Usable(OutcomeKind kind, double score, double label) => kind == OutcomeKind.Classifier
        ? score is >= 0.0 and <= 1.0 && label is 0.0 or 1.0
        : double.IsFinite(score) && double.IsFinite(label);
}
