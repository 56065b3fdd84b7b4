using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// A model's rollout as it runs: per-variant traffic and errors over the current window, the shadow
/// comparison and the last canary analysis. Serialized snake_case under <c>status</c> in the admin API.
/// </summary>
internal sealed record RolloutLiveStatus
{
    /// <summary>When these numbers were taken.</summary>
    public DateTimeOffset? ObservedAt { get; init; }

    /// <summary>When the window the per-variant numbers cover began (the current analysis window, or since start-up).</summary>
    public DateTimeOffset? WindowStartedAt { get; init; }

    /// <summary>One entry per variant that served traffic (stable, canary, active, preview, default).</summary>
    public ImmutableArray<VariantLiveStatus> Variants { get; init; } = [];

    /// <summary>The shadow comparison over the same window; null when no shadow runs.</summary>
    public ShadowComparisonSnapshot? Shadow { get; init; }

    /// <summary>The last canary analysis (verdict, reason with its numbers, every check); null before the first.</summary>
    public AnalysisOutcome? LastAnalysis { get; init; }

    /// <summary>When <see cref="LastAnalysis"/> ran.</summary>
    public DateTimeOffset? LastAnalysisAt { get; init; }
}
