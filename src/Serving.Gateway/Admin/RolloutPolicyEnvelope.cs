namespace Serving.Gateway.Admin;

/// <summary>
/// What <c>PUT /admin/rollouts/{model}</c> reads from the policy body besides the policy itself: whether a
/// <c>revision</c> was given at all (a policy read as JSON cannot tell 0 from absent) and who is writing.
/// </summary>
internal sealed record RolloutPolicyEnvelope
{
    /// <summary>The expected stored revision (0: create); null: read-modify-write on whatever is stored.</summary>
    public long? Revision { get; init; }

    /// <summary>Who makes the change, when the caller has no named admin identity; recorded as the policy's <c>updated_by</c>.</summary>
    public string? Actor { get; init; }
}
