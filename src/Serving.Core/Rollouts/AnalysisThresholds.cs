namespace Serving.Core.Rollouts;

/// <summary>
/// What a canary must satisfy against stable in one analysis (<see cref="CanaryAnalyzer"/>). A null limit
/// turns its check off. Analysis never passes on too little data: below a minimum it says Wait.
/// </summary>
internal sealed record AnalysisThresholds
{
    /// <summary>Requests each cohort needs before anything is judged. At least 1.</summary>
    public long MinimumRequests { get; init; } = 100;

    /// <summary>Largest allowed canary error rate minus stable error rate, as a fraction (0.01 = one percentage point).</summary>
    public double? MaxErrorRateIncrease { get; init; } = 0.01;

    /// <summary>Largest allowed canary error rate ÷ stable error rate; checked only when stable has errors.</summary>
    public double? MaxErrorRateRatio { get; init; }

    /// <summary>Largest allowed canary p99 latency ÷ stable p99 latency.</summary>
    public double? MaxLatencyP99Ratio { get; init; } = 1.5;

    /// <summary>Prediction values each cohort needs before the distribution checks are judged. At least 1.</summary>
    public int MinimumPredictions { get; init; } = 100;

    /// <summary>Largest allowed PSI of canary predictions against stable's, over bins at stable's deciles.</summary>
    public double? MaxPredictionPsi { get; init; } = 0.2;

    /// <summary>Largest allowed two-sample KS statistic D between canary and stable predictions.</summary>
    public double? MaxPredictionKsStatistic { get; init; } = 0.1;

    /// <summary>
    /// Smallest allowed KS p-value; off by default, because with thousands of predictions a harmless
    /// shift is already "significant".
    /// </summary>
    public double? MinPredictionKsPValue { get; init; }

    /// <summary>Smallest allowed shadow decision agreement rate, judged when shadow numbers are supplied.</summary>
    public double? MinShadowAgreement { get; init; } = 0.95;

    /// <summary>Compared shadow values needed before the agreement is judged. At least 1.</summary>
    public long MinimumShadowComparisons { get; init; } = 100;
}
