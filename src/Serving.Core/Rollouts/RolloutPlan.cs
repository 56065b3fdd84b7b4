using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// A progressive delivery plan: steps run in order by <see cref="RolloutController"/>; after the last one
/// the canary is promoted. A typical plan: 5%, analysis, 25%, pause 10 minutes, analysis, 50%, pause until
/// resumed, 100%.
/// </summary>
/// <remarks>Equality compares the steps element by element, so a policy read back from a store equals the one written.</remarks>
internal sealed record RolloutPlan
{
    // Defaults live in the constructor: System.Text.Json's source generator sets init-only properties it
    // did not find in the JSON to default(T), overriding property initializers, but honours optional
    // constructor parameters.

    /// <summary>Creates a plan.</summary>
    /// <param name="steps">The <see cref="Steps"/>; missing means none.</param>
    [JsonConstructor]
    public RolloutPlan(ImmutableArray<RolloutStep> steps = default)
    {
        Steps = steps.IsDefault ? [] : steps;
    }
    /// <summary>The steps, in order; at least one.</summary>
    public ImmutableArray<RolloutStep> Steps { get; init; }

    /// <summary>Whether both plans have equal steps in the same order.</summary>
    public bool Equals(RolloutPlan? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Steps.IsDefault
                ? other.Steps.IsDefault
                : !other.Steps.IsDefault && Steps.AsSpan().SequenceEqual(other.Steps.AsSpan())));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        if (!Steps.IsDefault)
        {
            foreach (RolloutStep step in Steps)
            {
                hash.Add(step);
            }
        }

        return hash.ToHashCode();
    }
}
