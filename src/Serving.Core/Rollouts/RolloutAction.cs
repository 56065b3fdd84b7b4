namespace Serving.Core.Rollouts;

/// <summary>One side effect decided by <see cref="RolloutController"/>, for its caller to carry out in order.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Weight">The canary weight, for <see cref="RolloutActionKind.SetWeight"/>.</param>
/// <param name="Message">Why, with the numbers, for promotions, rollbacks and alerts.</param>
internal sealed record RolloutAction(RolloutActionKind Kind, double Weight = 0, string? Message = null);
