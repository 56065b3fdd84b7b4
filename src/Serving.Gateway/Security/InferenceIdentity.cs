using Prometheus;

namespace Serving.Gateway.Security;

/// <summary>
/// Who made an inference request: a configured API key's name, a JWT's subject, or <see cref="Anonymous"/>
/// when the inference API takes no credentials. Set as a request feature by <see cref="InferenceAccessMiddleware"/>.
/// </summary>
internal sealed class InferenceIdentity
{
    /// <summary>The metric label of identities that are not configured by name (JWT subjects without a quota of their own).</summary>
    public const string OtherLabel = "other";

    /// <summary>The caller when no credentials are configured.</summary>
    public static readonly InferenceIdentity Anonymous = new("anonymous", "anonymous");

    private Counter.Child? _quotaRejections;

    public InferenceIdentity(string name, string metricLabel)
    {
        Name = name;
        MetricLabel = metricLabel;
    }

    /// <summary>The identity's name, the key of its quota.</summary>
    public string Name { get; }

    /// <summary>
    /// The value of the <c>identity</c> label of its metrics: <see cref="Name"/> for names in configuration,
    /// <see cref="OtherLabel"/> for the rest, so that the label's values are bounded by configuration.
    /// </summary>
    public string MetricLabel { get; }

    /// <summary>
    /// <c>serving_quota_rejections_total</c> of this identity's label, looked up when first needed: a JWT
    /// caller's identity lives for one request and is rarely refused.
    /// </summary>
    public Counter.Child QuotaRejections => _quotaRejections ??= QuotaMetrics.Rejections.WithLabels(MetricLabel);
}
