using Prometheus;

namespace Serving.Gateway.Drift;

/// <summary>Drift gauges exported to Prometheus, labelled model, version, feature (<c>output:&lt;name&gt;</c> for predictions).</summary>
internal static class DriftMetrics
{
    private static readonly string[] ColumnLabels = ["model", "version", "feature"];
    private static readonly string[] VersionLabels = ["model", "version"];
    private static readonly string[] OperationLabels = ["model", "version", "operation"];

    public static readonly Gauge Psi = Prometheus.Metrics.CreateGauge(
        "serving_drift_psi", "Population stability index of the last evaluated window against the reference.",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge KsStatistic = Prometheus.Metrics.CreateGauge(
        "serving_drift_ks_statistic", "Two-sample Kolmogorov-Smirnov statistic D of the last evaluated window.",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge KsPValue = Prometheus.Metrics.CreateGauge(
        "serving_drift_ks_pvalue", "KS p-value of the last evaluated window, before multiple-testing correction.",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge KsAdjustedPValue = Prometheus.Metrics.CreateGauge(
        "serving_drift_ks_pvalue_adjusted", "KS p-value after the model's multiple-testing correction (what alarms compare).",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge Alarm = Prometheus.Metrics.CreateGauge(
        "serving_drift_alarm", "Alarm state: 0 ok or resolved, 1 pending, 2 firing (warning), 3 firing (critical). feature is the column, or missing:<column> for its missing-rate alarm.",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge MissingRate = Prometheus.Metrics.CreateGauge(
        "serving_drift_missing_rate", "Share of the last evaluated window's values of the column that were missing (NaN or infinite).",
        new GaugeConfiguration { LabelNames = ColumnLabels });

    public static readonly Gauge MonitorAvailable = Prometheus.Metrics.CreateGauge(
        "serving_drift_monitor_available",
        "1 when the version's drift monitor runs, 0 when its reference cannot be used (the reason is in the log and /admin/drift). Absent for versions that ship no reference.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge PooledRows = Prometheus.Metrics.CreateGauge(
        "serving_drift_pooled_rows", "Rows of closed windows too small to judge alone, waiting to be pooled with the next.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge WindowRows = Prometheus.Metrics.CreateGauge(
        "serving_drift_window_rows", "Rows in the last evaluated window.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge CurrentWindowRows = Prometheus.Metrics.CreateGauge(
        "serving_drift_current_window_rows", "Rows recorded so far in the open window.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Counter Windows = Prometheus.Metrics.CreateCounter(
        "serving_drift_windows_total", "Windows evaluated.",
        new CounterConfiguration { LabelNames = VersionLabels });

    public static readonly Gauge LastEvaluation = Prometheus.Metrics.CreateGauge(
        "serving_drift_last_evaluation_timestamp_seconds", "Unix time of the last window evaluation.",
        new GaugeConfiguration { LabelNames = VersionLabels });

    public static readonly Counter MergeFailures = Prometheus.Metrics.CreateCounter(
        "serving_drift_merge_failures_total",
        "Windows whose cross-replica merge through Redis failed (operation publish or read); each was evaluated on this replica's traffic alone.",
        new CounterConfiguration { LabelNames = OperationLabels });

    public static readonly Gauge WindowReplicas = Prometheus.Metrics.CreateGauge(
        "serving_drift_window_replicas", "Replicas whose traffic the last evaluated window covers (1 without Redis or when the merge failed).",
        new GaugeConfiguration { LabelNames = VersionLabels });
}
