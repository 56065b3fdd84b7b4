namespace Serving.Gateway.Rollouts;

/// <summary>
/// The live numbers of a model's rollout, shown by <c>GET /admin/rollouts/{model}</c> under <c>status</c>
/// and by <c>servingctl rollout status</c>. Implemented by the rollout loop, which owns the cohort
/// windows, the shadow comparison and the analyses; <see cref="NullRolloutStatusSource"/> (no numbers) is
/// registered until it is.
/// </summary>
internal interface IRolloutStatusSource
{
    /// <summary>
    /// What this replica currently knows of <paramref name="model"/>'s rollout, or null when it has nothing
    /// (no rollout, nothing recorded yet). Called on the admin path, never the request path; must not block
    /// on I/O for long, and must not throw for an unknown model.
    /// </summary>
    RolloutLiveStatus? Get(string model);
}
