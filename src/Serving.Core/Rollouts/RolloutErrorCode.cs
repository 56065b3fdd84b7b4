namespace Serving.Core.Rollouts;

/// <summary>The kinds of expected rollout failures; the admin API maps each to one status code.</summary>
internal enum RolloutErrorCode
{
    /// <summary>The policy or an argument breaks a rule (400).</summary>
    Invalid,

    /// <summary>No policy for the model (404).</summary>
    NotFound,

    /// <summary>The policy changed since it was read: the expected revision is stale (409).</summary>
    Conflict,

    /// <summary>The command does not apply in the rollout's current state, e.g. resume when not paused (409).</summary>
    InvalidState,

    /// <summary>
    /// The policy names a version that cannot take traffic: not in the registry, or in a stage other than
    /// Staging or Production (409).
    /// </summary>
    VersionUnavailable,
}
