using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The model registry: versions, stages, aliases and the audit log of every model, behind one contract
/// with a file implementation (<see cref="FileRegistryStore"/>) and a Redis one (in the gateway).
/// </summary>
/// <remarks>
/// Every mutation reads the model's state, applies the pure rule from <see cref="RegistryRules"/> and
/// writes the result only if the model's <see cref="ModelState.Revision"/> is still the one it read
/// (compare-and-swap), retrying a bounded number of times. Expected failures come back as
/// <see cref="StoreResult{T}"/> errors; exceptions mean faults (I/O, Redis unreachable).
/// </remarks>
internal interface IRegistryStore
{
    /// <summary>Every registered model, ordered by name.</summary>
    Task<IReadOnlyList<ModelState>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>One model, or <see langword="null"/> when it is not registered (or the name is invalid).</summary>
    Task<ModelState?> GetAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>The model's audit trail (registry and rollout changes), oldest first; empty for an unknown model.</summary>
    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Checks the model's audit trail (a hash chain, see <see cref="AuditChain"/>) as stored.</summary>
    Task<AuditVerification> VerifyAuditAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Registers a version (stage None), creating the model if needed.</summary>
    Task<StoreResult<ModelState>> RegisterAsync(string model, VersionRegistration registration, ChangeContext context, CancellationToken cancellationToken = default);

    /// <summary>Creates a model from repository versions (see <see cref="RegistryRules.Seed"/>); AlreadyExists when it is registered.</summary>
    Task<StoreResult<ModelState>> SeedAsync(string model, IReadOnlyList<VersionRegistration> versions, CancellationToken cancellationToken = default);

    /// <summary>Moves a version to another stage, through the approval rule and the promotion gate.</summary>
    Task<StoreResult<ModelState>> TransitionAsync(string model, int version, TransitionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Points an alias at a version.</summary>
    Task<StoreResult<ModelState>> SetAliasAsync(string model, string alias, int version, ChangeContext context, CancellationToken cancellationToken = default);

    /// <summary>Removes an alias.</summary>
    Task<StoreResult<ModelState>> RemoveAliasAsync(string model, string alias, ChangeContext context, CancellationToken cancellationToken = default);

    /// <summary>Returns Production to the previous Production version.</summary>
    Task<StoreResult<ModelState>> RollbackAsync(string model, ChangeContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// The change feed: yields a model's name after each committed change to it (the file store: changes
    /// made through this instance; the Redis store: changes made by any replica). The subscription starts
    /// with the first <c>MoveNextAsync</c> and ends when <paramref name="cancellationToken"/> fires or the
    /// store is disposed. Consumers re-read the model with <see cref="GetAsync"/>.
    /// </summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default);
}
