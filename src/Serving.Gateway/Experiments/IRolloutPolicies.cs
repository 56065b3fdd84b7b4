using System.Diagnostics.CodeAnalysis;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Experiments;

/// <summary>
/// The rollout policy in force for each model, as the <see cref="ExperimentObserver"/> reads it (in memory, no
/// I/O). Experiments own this view so that they do not reference the rollouts that drive them; the rollout
/// table's keeper (Rollouts' sync service) implements it.
/// </summary>
internal interface IRolloutPolicies
{
    /// <summary>The policy in force for <paramref name="model"/>; false when the model has no rollout.</summary>
    bool TryGetPolicy(string model, [MaybeNullWhen(false)] out RolloutPolicy policy);
}
