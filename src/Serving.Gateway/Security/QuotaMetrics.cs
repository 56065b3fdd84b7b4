using Prometheus;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Security;

/// <summary>The metrics of inference quotas.</summary>
internal static class QuotaMetrics
{
    public static readonly Counter Rejections = Prometheus.Metrics.CreateCounter(
        "serving_quota_rejections_total",
        "Inference requests refused with 429 (REST) or RESOURCE_EXHAUSTED (gRPC) because the caller was over its quota, by identity (a configured name, 'anonymous' or 'other').",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars, LabelNames = ["identity"] });
}
