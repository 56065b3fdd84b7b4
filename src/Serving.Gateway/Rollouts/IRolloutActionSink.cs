using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// Carries out the side effects of an operator's rollout command (start, resume, promote, abort through
/// the admin API) after its policy was committed: the controller's <see cref="RolloutAction"/>s other than
/// the weight, which the committed policy already holds. <see cref="RolloutActionKind.PromoteCanary"/>
/// promotes the canary version to Production in the registry; <see cref="RolloutActionKind.ResetAnalysisWindow"/>
/// starts fresh cohort windows; <see cref="RolloutActionKind.RecordRollback"/> and
/// <see cref="RolloutActionKind.SendAlert"/> audit and alert. Implemented by the rollout loop, which does
/// the same for the transitions it makes itself; <see cref="LoggingRolloutActionSink"/> is registered until it is.
/// </summary>
internal interface IRolloutActionSink
{
    /// <summary>Carries out <paramref name="actions"/>, in order, for the committed <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy as stored by the command (its revision included).</param>
    /// <param name="actions">The controller's actions, in order; never empty.</param>
    /// <param name="cancellationToken">Cancelled when the admin request is aborted.</param>
    Task ExecuteAsync(RolloutPolicy policy, ImmutableArray<RolloutAction> actions, CancellationToken cancellationToken);
}
