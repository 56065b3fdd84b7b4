namespace Serving.Gateway.Rollouts;

/// <summary>One variant's traffic over the window of a <see cref="RolloutLiveStatus"/>.</summary>
internal sealed record VariantLiveStatus
{
    /// <summary>The variant name (<see cref="Serving.Core.Rollouts.VariantNames"/>): stable, canary, active, preview, default.</summary>
    public required string Variant { get; init; }

    /// <summary>The version that answered as this variant.</summary>
    public int Version { get; init; }

    /// <summary>Requests answered.</summary>
    public long Requests { get; init; }

    /// <summary>Requests that failed (5xx, inference errors).</summary>
    public long Errors { get; init; }

    /// <summary>Errors ÷ requests; NaN when there were no requests.</summary>
    public double ErrorRate => Requests == 0 ? double.NaN : (double)Errors / Requests;

    /// <summary>The 99th percentile latency in seconds; NaN when unknown.</summary>
    public double LatencyP99Seconds { get; init; } = double.NaN;
}
