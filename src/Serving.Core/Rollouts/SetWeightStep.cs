namespace Serving.Core.Rollouts;

/// <summary>Sets the canary weight (0–100, steps of 0.01) and goes straight on to the next step.</summary>
internal sealed record SetWeightStep : RolloutStep
{
    /// <summary>The new canary weight.</summary>
    public double Weight { get; init; }
}
