using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// Holds the current weight while the canary is compared with stable (<see cref="CanaryAnalyzer"/>) every
/// <see cref="Interval"/>: <see cref="RequiredPasses"/> consecutive passes go on to the next step, one
/// failure aborts the rollout, and insufficient data keeps waiting (at most <see cref="MaxWait"/>).
/// </summary>
internal sealed record AnalysisStep : RolloutStep
{
    // Defaults live in the constructor: System.Text.Json's source generator sets init-only properties it
    // did not find in the JSON to default(T), overriding property initializers, but honours optional
    // constructor parameters.

    /// <summary>Creates the step; the object initializer sets <see cref="Interval"/> (required) and <see cref="MaxWait"/>.</summary>
    /// <param name="thresholds">The <see cref="Thresholds"/>; null takes the defaults.</param>
    /// <param name="requiredPasses">The <see cref="RequiredPasses"/>.</param>
    [JsonConstructor]
    public AnalysisStep(AnalysisThresholds? thresholds = null, int requiredPasses = 1)
    {
        Thresholds = thresholds ?? new AnalysisThresholds();
        RequiredPasses = requiredPasses;
    }
    /// <summary>What the canary must satisfy.</summary>
    public AnalysisThresholds Thresholds { get; init; }

    /// <summary>Time between evaluations. JSON: <c>interval_seconds</c>, required.</summary>
    [JsonPropertyName("interval_seconds")]
    [JsonConverter(typeof(SecondsConverter))]
    public required TimeSpan Interval { get; init; }

    /// <summary>Consecutive passing evaluations needed to go on; each pass starts a fresh window.</summary>
    public int RequiredPasses { get; init; }

    /// <summary>
    /// How long the step may keep seeing too little data before the rollout aborts; null waits for ever.
    /// JSON: <c>max_wait_seconds</c>.
    /// </summary>
    [JsonPropertyName("max_wait_seconds")]
    [JsonConverter(typeof(NullableSecondsConverter))]
    public TimeSpan? MaxWait { get; init; }
}
