using Microsoft.Extensions.Logging;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The part every store shares: the read / apply rule / compare-and-swap step, retried by
/// <see cref="CompareAndSwapRetry"/>, and the local fan-out of the change feed. A store supplies reads and <see cref="TryCommitAsync"/>.
/// </summary>
internal abstract partial class RegistryStoreBase : IRegistryStore, IDisposable
{
    private readonly RegistryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ChangeFanOut _changes = new();

    /// <summary>Initializes the shared part.</summary>
    protected RegistryStoreBase(RegistryOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<ModelState>> ListAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<ModelState?> GetAsync(string model, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string model, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<AuditVerification> VerifyAuditAsync(string model, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> RegisterAsync(string model, VersionRegistration registration, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Register(current, model, registration, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> SeedAsync(string model, IReadOnlyList<VersionRegistration> versions, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Seed(current, model, versions, now), cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> TransitionAsync(string model, int version, TransitionRequest request, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Transition(current, model, version, request, _options.GateTolerance, now), cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> SetAliasAsync(string model, string alias, int version, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.SetAlias(current, model, alias, version, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> RemoveAliasAsync(string model, string alias, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.RemoveAlias(current, model, alias, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult<ModelState>> RollbackAsync(string model, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Rollback(current, model, context, now), cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default) => _changes.WatchAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Writes <paramref name="change"/> if the stored revision of the model is still
    /// <paramref name="expectedRevision"/> (0: the model must not exist), appending its audit entries
    /// in the same atomic step. Returns <see langword="false"/> when another writer got there first.
    /// </summary>
    protected abstract Task<bool> TryCommitAsync(string model, long expectedRevision, StateChange change, CancellationToken cancellationToken);

    /// <summary>Tells every local <see cref="WatchAsync"/> subscriber that <paramref name="model"/> changed.</summary>
    protected void NotifyChanged(string model) => _changes.Publish(model);

    /// <summary>Ends every change feed; derived stores release their resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _changes.Dispose();
        }
    }

    private async Task<StoreResult<ModelState>> MutateAsync(
        string model, Func<ModelState?, DateTimeOffset, StoreResult<StateChange>> rule, CancellationToken cancellationToken)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return StoreResult<ModelState>.Failure(StoreErrorCode.InvalidArgument,
                $"invalid model name '{model}': a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");
        }

        var result = await CompareAndSwapRetry.RunAsync<ModelState>(_options.MaxCommitAttempts, async attempt =>
        {
            var current = await GetAsync(model, cancellationToken).ConfigureAwait(false);
            var decided = rule(current, _timeProvider.GetUtcNow());
            if (!decided.IsSuccess)
            {
                return decided.Error;
            }

            if (decided.Value.Audit.IsEmpty
                || await TryCommitAsync(model, current?.Revision ?? 0, decided.Value, cancellationToken).ConfigureAwait(false))
            {
                return decided.Value.State;
            }

            LogCommitConflict(model, attempt);
            return StoreResult<ModelState>.Failure(StoreErrorCode.Conflict,
                $"model '{model}' kept changing concurrently; gave up after {_options.MaxCommitAttempts} attempts, retry");
        }, cancellationToken).ConfigureAwait(false);

        if (result.Error?.Code == StoreErrorCode.Conflict)
        {
            LogConflictRetriesExhausted(model, _options.MaxCommitAttempts);
        }

        return result;
    }
}
