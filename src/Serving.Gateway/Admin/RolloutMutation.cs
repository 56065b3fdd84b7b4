using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>A command's outcome before it is committed: the policy to write and the side effects to carry out after.</summary>
/// <param name="Policy">The next policy, at the revision it was read (the store's compare-and-swap raises it).</param>
/// <param name="Actions">The controller's actions, in order; empty when there are none.</param>
internal sealed record RolloutMutation(RolloutPolicy Policy, ImmutableArray<RolloutAction> Actions);
