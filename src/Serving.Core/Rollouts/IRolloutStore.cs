using Serving.Core.Registry;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// Where rollout policies live: one per model, replaced whole with a compare-and-swap on
/// <see cref="RolloutPolicy.Revision"/>. A file implementation (<see cref="FileRolloutStore"/>) for one
/// machine and a Redis one (in the gateway) shared by replicas satisfy the same contract
/// (RolloutStoreContractTests). Expected failures are <see cref="StoreResult{T}"/> errors; exceptions
/// mean faults (I/O, Redis unreachable, a corrupt document).
/// </summary>
internal interface IRolloutStore
{
    /// <summary>The model's policy, or null when it has none (or the name is invalid).</summary>
    Task<RolloutPolicy?> GetAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Every stored policy, ordered by model name.</summary>
    Task<IReadOnlyList<RolloutPolicy>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="policy"/> if the stored revision is still <c>policy.Revision</c> (0: there
    /// must be no policy yet). The stored copy gets revision <c>policy.Revision + 1</c> and is returned.
    /// Fails with <see cref="StoreErrorCode.InvalidArgument"/> when the policy breaks a rule
    /// (<see cref="RolloutPolicyValidator"/>) and <see cref="StoreErrorCode.Conflict"/> when another
    /// writer got there first (re-read, re-apply, retry). Every stored change is appended to the model's
    /// audit trail (<see cref="RolloutAudit"/>: actor and reason from the policy's <c>updated_by</c> and <c>reason</c>).
    /// </summary>
    Task<StoreResult<RolloutPolicy>> CompareAndSwapAsync(RolloutPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the model's policy if its stored revision is still <paramref name="expectedRevision"/>
    /// (the model then routes to its default version). NotFound when there is none; Conflict when it moved.
    /// <paramref name="context"/> (who and why) goes into the model's audit trail.
    /// </summary>
    Task<StoreResult<RolloutPolicy>> DeleteAsync(string model, long expectedRevision, ChangeContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The change feed: yields a model's name after each committed change to its policy (the file store:
    /// changes through this instance; the Redis store: changes by any replica). The subscription starts
    /// with the first <c>MoveNextAsync</c> and ends when <paramref name="cancellationToken"/> fires or the
    /// store is disposed. Consumers re-read the policy with <see cref="GetAsync"/>.
    /// </summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default);
}
