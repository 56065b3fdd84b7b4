using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// Shadow traffic: a percentage of requests is copied to another version after the primary has been
/// chosen; the shadow's answer is compared with the primary's (<see cref="ShadowComparison"/>) and never
/// returned to the client.
/// </summary>
internal sealed record ShadowSettings
{
    /// <summary>The default <see cref="DecisionThreshold"/>.</summary>
    public const double DefaultDecisionThreshold = 0.5;

    private readonly double _percentage;
    private readonly int _shadowBuckets;

    // Defaults live in the constructor: System.Text.Json's source generator sets init-only properties it
    // did not find in the JSON to default(T), overriding property initializers, but honours optional
    // constructor parameters.

    /// <summary>Creates the settings; the object initializer sets the version and percentage.</summary>
    /// <param name="decisionThreshold">The <see cref="DecisionThreshold"/>.</param>
    [JsonConstructor]
    public ShadowSettings(double decisionThreshold = DefaultDecisionThreshold)
    {
        DecisionThreshold = decisionThreshold;
    }

    /// <summary>The version that receives the copies. Required, at least 1.</summary>
    public int Version { get; init; }

    /// <summary>The percentage of requests copied: 0–100 in steps of 0.01.</summary>
    public double Percentage
    {
        get => _percentage;
        init
        {
            _percentage = value;
            _shadowBuckets = CohortHash.BucketsFor(value);
        }
    }

    /// <summary>The score at which an output counts as a positive decision; primary and shadow disagree when one is at or above it and the other below.</summary>
    public double DecisionThreshold { get; init; }

    /// <summary>How many of the <see cref="CohortHash.BucketCount"/> buckets get a copy.</summary>
    internal int ShadowBuckets => _shadowBuckets;
}
