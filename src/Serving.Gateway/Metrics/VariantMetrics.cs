using Prometheus;

namespace Serving.Gateway.Metrics;

/// <summary>The labelled per-variant metric children of one version, resolved once per (version, variant).</summary>
internal sealed class VariantMetrics(string model, string version, string variant)
{
    public Counter.Child Ok { get; } = ServingMetrics.VariantRequests.WithLabels(model, version, variant, "ok");

    public Counter.Child Error { get; } = ServingMetrics.VariantRequests.WithLabels(model, version, variant, "error");

    public Histogram.Child Duration { get; } = ServingMetrics.VariantDuration.WithLabels(model, version, variant);
}
