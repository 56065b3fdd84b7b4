using Prometheus;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Remote;

/// <summary>Metrics of forwarding to workers.</summary>
internal static class ForwardMetrics
{
    public static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "serving_forward_requests_total",
        "Requests forwarded to workers, by model, destination and outcome (ok: the worker answered 2xx or 3xx; client_error: it answered 4xx, e.g. 404 for a version it does not have; server_error: it answered 5xx; retried: it could not be reached and another was tried; failed: a forwarding error; no_destination: no healthy worker).",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars, LabelNames = ["model", "destination", "outcome"] });

    /// <summary>The outcome label of a request a worker answered with <paramref name="status"/>.</summary>
    public static string Outcome(int status) => status switch
    {
        < 400 => "ok",
        < 500 => "client_error",
        _ => "server_error",
    };

    public static readonly Gauge DestinationHealthy = Prometheus.Metrics.CreateGauge(
        "serving_forward_destination_healthy", "1 while a worker takes forwarded traffic, 0 while active or passive health checks keep it out.",
        new GaugeConfiguration { LabelNames = ["destination"] });

    public static readonly Histogram Duration = Prometheus.Metrics.CreateHistogram(
        "serving_forward_duration_seconds", "Time from a forwarded request's arrival to the worker's response being copied back.",
        new HistogramConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars, LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.00005, 2, 18) });
}
