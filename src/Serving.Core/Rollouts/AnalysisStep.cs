using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// Holds the current weight while the canary is compared with stable (<see cref="CanaryAnalyzer"/>) every
/// <see cref="Interval"/>: <see cref="RequiredPasses"/> consecutive passes go on to the next step, one
/// failure aborts the rollout, and insufficient data keeps waiting (at most <see cref="MaxWait"/>).
/// </summary>
internal sealed record AnalysisStep : RolloutStep
{
    /// <summary>What the canary must satisfy.</summary>
    public AnalysisThresholds Thresholds { get; init; } = new();

    /// <summary>Time between evaluations. JSON: <c>interval_seconds</c>.</summary>
    [JsonPropertyName("interval_seconds")]
    [JsonConverter(typeof(SecondsConverter))]
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Consecutive passing evaluations needed to go on; each pass starts a fresh window.</summary>
    public int RequiredPasses { get; init; } = 1;

    /// <summary>
    /// How long the step may keep seeing too little data before the rollout aborts; null waits for ever.
    /// JSON: <c>max_wait_seconds</c>.
    /// </summary>
    [JsonPropertyName("max_wait_seconds")]
    [JsonConverter(typeof(NullableSecondsConverter))]
    public TimeSpan? MaxWait { get; init; }
}
