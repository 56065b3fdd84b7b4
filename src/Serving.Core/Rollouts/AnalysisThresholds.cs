using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// What a canary must satisfy against stable in one analysis (<see cref="CanaryAnalyzer"/>). A null limit
/// turns its check off. Analysis never passes on too little data: below a minimum it says Wait.
/// </summary>
/// <remarks>
/// The defaults are constructor parameters, not property initializers: System.Text.Json's source
/// generator sets init-only properties missing from the JSON to default(T), but honours optional
/// constructor parameters. For the same reason every nullable limit is written even when null
/// (<c>[JsonIgnore(Condition = Never)]</c>): null turns its check off, and an omitted field would read back as its default.
/// </remarks>
internal sealed record AnalysisThresholds
{
    /// <summary>Creates thresholds; every limit has a default, and the object initializer may override any.</summary>
    /// <param name="minimumRequests">Requests each cohort needs before anything is judged. At least 1.</param>
    /// <param name="maxErrorRateIncrease">Largest allowed canary error rate minus stable error rate, as a fraction (0.01 = one percentage point).</param>
    /// <param name="maxErrorRateRatio">Largest allowed canary error rate ÷ stable error rate; checked only when stable has errors. Off by default.</param>
    /// <param name="maxLatencyP99Ratio">Largest allowed canary p99 latency ÷ stable p99 latency.</param>
    /// <param name="minimumPredictions">Prediction values each cohort needs before the distribution checks are judged. At least 1.</param>
    /// <param name="maxPredictionPsi">Largest allowed PSI of canary predictions against stable's, over bins at stable's deciles.</param>
    /// <param name="maxPredictionKsStatistic">Largest allowed two-sample KS statistic D between canary and stable predictions.</param>
    /// <param name="minPredictionKsPValue">Smallest allowed KS p-value; off by default, because with thousands of predictions a harmless shift is already "significant".</param>
    /// <param name="minShadowAgreement">Smallest allowed shadow decision agreement rate, judged when shadow numbers are supplied.</param>
    /// <param name="minimumShadowComparisons">Compared shadow values needed before the agreement is judged. At least 1.</param>
    [JsonConstructor]
    public AnalysisThresholds(
        long minimumRequests = 100,
        double? maxErrorRateIncrease = 0.01,
        double? maxErrorRateRatio = null,
        double? maxLatencyP99Ratio = 1.5,
        int minimumPredictions = 100,
        double? maxPredictionPsi = 0.2,
        double? maxPredictionKsStatistic = 0.1,
        double? minPredictionKsPValue = null,
        double? minShadowAgreement = 0.95,
        long minimumShadowComparisons = 100)
    {
        MinimumRequests = minimumRequests;
        MaxErrorRateIncrease = maxErrorRateIncrease;
        MaxErrorRateRatio = maxErrorRateRatio;
        MaxLatencyP99Ratio = maxLatencyP99Ratio;
        MinimumPredictions = minimumPredictions;
        MaxPredictionPsi = maxPredictionPsi;
        MaxPredictionKsStatistic = maxPredictionKsStatistic;
        MinPredictionKsPValue = minPredictionKsPValue;
        MinShadowAgreement = minShadowAgreement;
        MinimumShadowComparisons = minimumShadowComparisons;
    }

    /// <summary>Requests each cohort needs before anything is judged. At least 1.</summary>
    public long MinimumRequests { get; init; }

    /// <summary>Largest allowed canary error rate minus stable error rate, as a fraction (0.01 = one percentage point).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MaxErrorRateIncrease { get; init; }

    /// <summary>Largest allowed canary error rate ÷ stable error rate; checked only when stable has errors.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MaxErrorRateRatio { get; init; }

    /// <summary>Largest allowed canary p99 latency ÷ stable p99 latency.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MaxLatencyP99Ratio { get; init; }

    /// <summary>Prediction values each cohort needs before the distribution checks are judged. At least 1.</summary>
    public int MinimumPredictions { get; init; }

    /// <summary>Largest allowed PSI of canary predictions against stable's, over bins at stable's deciles.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MaxPredictionPsi { get; init; }

    /// <summary>Largest allowed two-sample KS statistic D between canary and stable predictions.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MaxPredictionKsStatistic { get; init; }

    /// <summary>Smallest allowed KS p-value; off by default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MinPredictionKsPValue { get; init; }

    /// <summary>Smallest allowed shadow decision agreement rate, judged when shadow numbers are supplied.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? MinShadowAgreement { get; init; }

    /// <summary>Compared shadow values needed before the agreement is judged. At least 1.</summary>
    public long MinimumShadowComparisons { get; init; }
}
