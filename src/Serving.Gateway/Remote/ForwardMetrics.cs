using System.Collections.Concurrent;
using Prometheus;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Remote;

/// <summary>
/// Metrics of forwarding to workers. The model label is a name the gateway knows to be a model: one with a
/// worker cluster of its own, or one a worker has answered with success. Any other name (the wildcard
/// cluster forwards whatever clients send) is counted under <see cref="UnknownModel"/>, so that clients
/// inventing names cannot add a series each.
/// </summary>
internal static class ForwardMetrics
{
    /// <summary>The model label of every name no worker has confirmed.</summary>
    public const string UnknownModel = "_unknown";

    // Names some worker answered with success: bounded by the models the workers host.
    private static readonly ConcurrentDictionary<string, string> Confirmed = new(StringComparer.Ordinal);

    /// <summary>
    /// The model label for <paramref name="model"/>: itself when <paramref name="ownCluster"/> (configured by
    /// name) or once confirmed, else <see cref="UnknownModel"/>.
    /// </summary>
    public static string ModelLabel(string model, bool ownCluster) =>
        ownCluster || Confirmed.ContainsKey(model) ? model : UnknownModel;

    /// <summary>Records that a worker answered <paramref name="model"/> with <paramref name="status"/>; a success confirms the name.</summary>
    public static string Confirm(string model, bool ownCluster, int status)
    {
        if (!ownCluster && status < 400)
        {
            Confirmed.TryAdd(model, model);
        }
        return ModelLabel(model, ownCluster);
    }

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
