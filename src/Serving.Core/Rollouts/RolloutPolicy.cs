using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// How one model's requests are routed between its versions: canary, blue-green or none, with optional
/// shadow traffic and an optional progressive plan. Immutable: a change is a new policy swapped in whole
/// (through <see cref="IRolloutStore.CompareAndSwapAsync"/>), so a request sees the old policy or the new
/// one, never a mix. The JSON shape (snake_case, <see cref="RolloutJsonContext"/>) is documented in
/// docs/rollouts.md.
/// </summary>
internal sealed record RolloutPolicy
{
    /// <summary>The default <see cref="RoutingKeyHeader"/>.</summary>
    public const string DefaultRoutingKeyHeader = "x-routing-key";

    private readonly string _model = string.Empty;
    private readonly long _cohortSeed = CohortHash.SeedFor(string.Empty);

    // Defaults live in the constructor: System.Text.Json's source generator sets init-only properties it
    // did not find in the JSON to default(T), overriding property initializers, but honours optional
    // constructor parameters.

    /// <summary>Creates a policy; the object initializer sets the rest.</summary>
    /// <param name="routingKeyHeader">The <see cref="RoutingKeyHeader"/>.</param>
    [JsonConstructor]
    public RolloutPolicy(string routingKeyHeader = DefaultRoutingKeyHeader)
    {
        RoutingKeyHeader = routingKeyHeader;
    }

    /// <summary>The model this policy routes. Also salts the cohort hash, so cohorts differ per model.</summary>
    public required string Model
    {
        get => _model;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _model = value;
            _cohortSeed = CohortHash.SeedFor(value);
        }
    }

    /// <summary>
    /// Optimistic concurrency: the stored revision, starting at 1 and rising by one per change. A write
    /// carries the revision it read (0 to create) and fails with a conflict if the policy moved since.
    /// </summary>
    public long Revision { get; init; }

    /// <summary>Which split is in effect.</summary>
    public RolloutMode Mode { get; init; }

    /// <summary>The request header whose value is the sticky routing key (a user, session or tenant id).</summary>
    public string RoutingKeyHeader { get; init; }

    /// <summary>The canary split; required in <see cref="RolloutMode.Canary"/>, absent otherwise.</summary>
    public CanarySettings? Canary { get; init; }

    /// <summary>The blue-green pair; required in <see cref="RolloutMode.BlueGreen"/>, absent otherwise.</summary>
    public BlueGreenSettings? BlueGreen { get; init; }

    /// <summary>Shadow traffic, in any mode; null for none.</summary>
    public ShadowSettings? Shadow { get; init; }

    /// <summary>The progressive delivery plan of a canary; null when the weight is set by hand.</summary>
    public RolloutPlan? Plan { get; init; }

    /// <summary>Where the plan stands; null before it starts. Written by <see cref="RolloutController.Apply"/>.</summary>
    public RolloutProgress? Progress { get; init; }

    /// <summary>Who made the last change (the admin API's authenticated caller, or <c>rollout-controller</c>).</summary>
    public string? UpdatedBy { get; init; }

    /// <summary>When the last change was made.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Why the last change was made.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether this policy changes where requests go: a split (canary, blue-green), or shadow copies in any mode.</summary>
    public bool RoutesRequests() => Mode != RolloutMode.None || Shadow is not null;

    /// <summary>
    /// The versions this policy sends requests to or shadows (stable and canary, active and preview,
    /// shadow), in that order; a version may appear twice.
    /// </summary>
    public IEnumerable<int> NamedVersions()
    {
        if (Canary is { } canary)
        {
            yield return canary.StableVersion;
            if (canary.CanaryVersion is { } c)
            {
                yield return c;
            }
        }

        if (BlueGreen is { } blueGreen)
        {
            yield return blueGreen.ActiveVersion;
            if (blueGreen.PreviewVersion is { } p)
            {
                yield return p;
            }
        }

        if (Shadow is { } shadow)
        {
            yield return shadow.Version;
        }
    }

    /// <summary>The cohort hash seed derived from <see cref="Model"/>.</summary>
    internal long CohortSeed => _cohortSeed;
}
