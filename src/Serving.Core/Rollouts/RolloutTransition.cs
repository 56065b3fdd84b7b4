using System.Collections.Immutable;

namespace Serving.Core.Rollouts;

/// <summary>The result of one controller step: the next state and the side effects, in order.</summary>
/// <param name="Progress">The next state.</param>
/// <param name="Actions">What to carry out; empty when nothing changed.</param>
internal sealed record RolloutTransition(RolloutProgress Progress, ImmutableArray<RolloutAction> Actions)
{
    /// <summary>Whether the state or any side effect changed (whether to write the policy).</summary>
    public bool Changed { get; init; } = true;
}
