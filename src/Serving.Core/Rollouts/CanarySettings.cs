namespace Serving.Core.Rollouts;

/// <summary>Canary mode: a weighted, key-sticky split between a stable and a canary version.</summary>
internal sealed record CanarySettings
{
    private readonly double _weight;
    private readonly int _canaryBuckets;

    /// <summary>The version that takes the rest of the traffic. Required, at least 1.</summary>
    public int StableVersion { get; init; }

    /// <summary>The version under test; null when there is none (weight must then be 0).</summary>
    public int? CanaryVersion { get; init; }

    /// <summary>The percentage of requests (or of routing keys) sent to the canary: 0–100 in steps of 0.01.</summary>
    public double Weight
    {
        get => _weight;
        init
        {
            _weight = value;
            _canaryBuckets = CohortHash.BucketsFor(value);
        }
    }

    /// <summary>How many of the <see cref="CohortHash.BucketCount"/> buckets go to the canary.</summary>
    internal int CanaryBuckets => _canaryBuckets;
}
