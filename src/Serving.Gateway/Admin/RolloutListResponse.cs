using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>What <c>GET /admin/rollouts</c> answers: every stored policy, ordered by model.</summary>
/// <param name="Rollouts">The policies.</param>
internal sealed record RolloutListResponse(ImmutableArray<RolloutPolicy> Rollouts);
