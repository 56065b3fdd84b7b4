using Prometheus;

namespace Serving.Gateway.Metrics;

/// <summary>
/// The gateway's Prometheus metrics. Request-path code never looks labels up: each loaded version
/// caches its labelled children (<see cref="VersionMetrics"/>).
/// </summary>
internal static class ServingMetrics
{
    /// <summary>
    /// Keeps prometheus-net from listening to every .NET meter and event counter: ASP.NET Core and
    /// Kestrel would then record several tagged histograms per request on the request path. Process
    /// metrics (collected at scrape time) stay. Must run before the first metric is created; later
    /// calls have no effect.
    /// </summary>
    public static void SuppressPerRequestFrameworkMetrics() =>
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressMeters = true,
            SuppressEventCounters = true,
            SuppressDebugMetrics = true,
            SuppressProcessMetrics = false,
        });

    /// <summary>
    /// No exemplars: prometheus-net would otherwise look up the current trace context and pool an
    /// exemplar object on every increment and observation, which costs more than the observation.
    /// </summary>
    public static readonly ExemplarBehavior NoExemplars = ExemplarBehavior.NoExemplars();

    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.00005, 2, 18);

    public static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "serving_requests_total", "Inference requests by outcome (ok, bad_request, not_found, overloaded, unavailable, cancelled, too_large, error).",
        new CounterConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version", "outcome"] });

    public static readonly Histogram RequestDuration = Prometheus.Metrics.CreateHistogram(
        "serving_request_duration_seconds", "Time from the request's arrival to its response being written.",
        new HistogramConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version"], Buckets = LatencyBuckets });

    public static readonly Histogram QueueDuration = Prometheus.Metrics.CreateHistogram(
        "serving_queue_duration_seconds", "Time a request waited in its version's queue before its batch ran.",
        new HistogramConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version"], Buckets = LatencyBuckets });

    public static readonly Histogram ComputeDuration = Prometheus.Metrics.CreateHistogram(
        "serving_compute_duration_seconds", "Time of one ONNX Runtime call (one batch).",
        new HistogramConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version"], Buckets = LatencyBuckets });

    public static readonly Histogram BatchSize = Prometheus.Metrics.CreateHistogram(
        "serving_batch_rows", "Rows per ONNX Runtime call.",
        new HistogramConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    public static readonly Gauge QueueDepth = Prometheus.Metrics.CreateGauge(
        "serving_queue_depth", "Requests waiting in a version's queue.",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    public static readonly Gauge Waiting = Prometheus.Metrics.CreateGauge(
        "serving_requests_waiting", "Requests waiting, unread, for room in a version's full queue (Serving:Limits:AdmissionWait).",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    public static readonly Counter Rejections = Prometheus.Metrics.CreateCounter(
        "serving_queue_rejections_total", "Requests refused with 503 because the version's queue was full.",
        new CounterConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version"] });

    public static readonly Gauge VersionState = Prometheus.Metrics.CreateGauge(
        "serving_model_version_state", "1 for the state each known version is in (loading, ready, failed, draining, unloaded).",
        new GaugeConfiguration { LabelNames = ["model", "version", "state"] });

    public static readonly Gauge ExecutionProvider = Prometheus.Metrics.CreateGauge(
        "serving_execution_provider", "1 for the execution provider each loaded version runs on.",
        new GaugeConfiguration { LabelNames = ["model", "version", "provider"] });

    public static readonly Counter VariantRequests = Prometheus.Metrics.CreateCounter(
        "serving_variant_requests_total", "Requests routed by a rollout, by the variant that answered and outcome (ok, error).",
        new CounterConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version", "variant", "outcome"] });

    public static readonly Histogram VariantDuration = Prometheus.Metrics.CreateHistogram(
        "serving_variant_request_duration_seconds", "Latency of requests routed by a rollout, per variant.",
        new HistogramConfiguration { ExemplarBehavior = NoExemplars, LabelNames = ["model", "version", "variant"], Buckets = LatencyBuckets });

    public static readonly Gauge PinnedBufferBytes = Prometheus.Metrics.CreateGauge(
        "serving_pinned_buffer_bytes", "Pinned host memory under each loaded version's bound batches (at most one batch of its largest bound size; docs/limits.md).",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    public static readonly Counter ProviderFallbacks = Prometheus.Metrics.CreateCounter(
        "serving_execution_provider_fallbacks_total", "Versions that asked for CUDA under 'auto' and fell back to CPU.");

    public static readonly Gauge GpuMemoryLimit = Prometheus.Metrics.CreateGauge(
        "serving_gpu_memory_limit_bytes", "GPU memory each CUDA version's arena may grow to and reserves from the budget (Serving:OnnxRuntime:GpuMemoryLimitBytes; 0: no limit).",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    public static readonly Gauge GpuMemoryReserved = Prometheus.Metrics.CreateGauge(
        "serving_gpu_memory_reserved_bytes", "GPU memory reserved by the CUDA versions loaded now.");

    public static readonly Gauge GpuMemoryBudget = Prometheus.Metrics.CreateGauge(
        "serving_gpu_memory_budget_bytes", "GPU memory all CUDA versions may reserve together (Serving:OnnxRuntime:GpuMemoryBudgetBytes; 0: no budget).");
}
