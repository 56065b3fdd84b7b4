using System.Collections.Immutable;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// What <c>/admin/rollouts/{model}</c> answers: the stored policy (its progress included), the live
/// numbers when the rollout loop has any, and for a command the side effects it decided.
/// </summary>
/// <param name="Policy">The policy as stored after the request (for DELETE: as it was before removal).</param>
/// <param name="Status">The live numbers from <see cref="IRolloutStatusSource"/>; null (left out) when there are none.</param>
/// <param name="Actions">The controller's actions for a command, in order (weights already in <paramref name="Policy"/>); null for reads.</param>
internal sealed record RolloutResponse(RolloutPolicy Policy, RolloutLiveStatus? Status, ImmutableArray<RolloutAction>? Actions = null);
