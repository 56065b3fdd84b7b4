using System.Collections.Immutable;

namespace Serving.Core.Rollouts;

/// <summary>
/// A progressive delivery plan: steps run in order by <see cref="RolloutController"/>; after the last one
/// the canary is promoted. A typical plan: 5%, analysis, 25%, pause 10 minutes, analysis, 50%, pause until
/// resumed, 100%.
/// </summary>
internal sealed record RolloutPlan
{
    /// <summary>The steps, in order; at least one.</summary>
    public ImmutableArray<RolloutStep> Steps { get; init; } = [];
}
