using Prometheus;

namespace Serving.Gateway.ConceptDrift;

/// <summary>Concept-drift gauges, labelled model and version.</summary>
internal static class ConceptDriftMetrics
{
    private static readonly string[] VersionLabels = ["model", "version"];

    public static readonly Gauge Alarm = Prometheus.Metrics.CreateGauge(
        "serving_concept_drift_alarm",
        "1 while the version's concept-drift alarm fires (its prediction errors rose: Page-Hinkley on the labelled predictions), else 0.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge Statistic = Prometheus.Metrics.CreateGauge(
        "serving_concept_drift_statistic",
        "The Page-Hinkley statistic m_T - min m_t on the version's error stream; the alarm fires above the threshold (Serving:ConceptDrift:Threshold).",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge ErrorRate = Prometheus.Metrics.CreateGauge(
        "serving_concept_drift_error_rate",
        "Mean error of the version's recent labelled predictions (exponential average over about 100): the misclassification rate of a classifier, the normalised absolute error of a regressor.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Counter Labelled = Prometheus.Metrics.CreateCounter(
        "serving_concept_drift_labelled_total",
        "Labelled predictions the version's concept-drift detector has seen.",
        new CounterConfiguration { LabelNames = VersionLabels });
}
