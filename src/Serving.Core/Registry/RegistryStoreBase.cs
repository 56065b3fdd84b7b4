using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Serving.Core.Registry;

/// <summary>
/// The part every store shares: the read / apply rule / compare-and-swap / retry loop and the local
/// fan-out of the change feed. A store supplies reads and <see cref="TryCommitAsync"/>.
/// </summary>
internal abstract partial class RegistryStoreBase : IRegistryStore, IDisposable
{
    private readonly RegistryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _subscribersLock = new();
    private ImmutableArray<Channel<string>> _subscribers = [];
    private bool _disposed;

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
    public Task<RegistryResult<ModelState>> RegisterAsync(string model, VersionRegistration registration, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Register(current, model, registration, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<RegistryResult<ModelState>> SeedAsync(string model, IReadOnlyList<VersionRegistration> versions, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Seed(current, model, versions, now), cancellationToken);

    /// <inheritdoc />
    public Task<RegistryResult<ModelState>> TransitionAsync(string model, int version, TransitionRequest request, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Transition(current, model, version, request, _options.GateTolerance, now), cancellationToken);

    /// <inheritdoc />
    public Task<RegistryResult<ModelState>> SetAliasAsync(string model, string alias, int version, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.SetAlias(current, model, alias, version, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<RegistryResult<ModelState>> RemoveAliasAsync(string model, string alias, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.RemoveAlias(current, model, alias, context, now), cancellationToken);

    /// <inheritdoc />
    public Task<RegistryResult<ModelState>> RollbackAsync(string model, ChangeContext context, CancellationToken cancellationToken = default) =>
        MutateAsync(model, (current, now) => RegistryRules.Rollback(current, model, context, now), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Unbounded: registry changes are rare (operator actions), and a dropped name would leave a
        // replica serving a stale stage.
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (_subscribersLock)
        {
            if (_disposed)
            {
                yield break;
            }

            _subscribers = _subscribers.Add(channel);
        }

        try
        {
            await foreach (var model in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return model;
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _subscribers = _subscribers.Remove(channel);
            }
        }
    }

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
    protected void NotifyChanged(string model)
    {
        var subscribers = _subscribers;
        foreach (var subscriber in subscribers)
        {
            subscriber.Writer.TryWrite(model);
        }
    }

    /// <summary>Ends every change feed; derived stores release their resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        ImmutableArray<Channel<string>> subscribers;
        lock (_subscribersLock)
        {
            _disposed = true;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Writer.TryComplete();
        }
    }

    private async Task<RegistryResult<ModelState>> MutateAsync(
        string model, Func<ModelState?, DateTimeOffset, RegistryResult<StateChange>> rule, CancellationToken cancellationToken)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return RegistryResult<ModelState>.Failure(RegistryErrorCode.InvalidArgument,
                $"invalid model name '{model}': a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");
        }

        for (var attempt = 1; attempt <= _options.MaxCommitAttempts; attempt++)
        {
            var current = await GetAsync(model, cancellationToken).ConfigureAwait(false);
            var result = rule(current, _timeProvider.GetUtcNow());
            if (!result.IsSuccess)
            {
                return RegistryResult<ModelState>.Failure(result.Error);
            }

            if (result.Value.Audit.IsEmpty)
            {
                return result.Value.State;
            }

            if (await TryCommitAsync(model, current?.Revision ?? 0, result.Value, cancellationToken).ConfigureAwait(false))
            {
                return result.Value.State;
            }

            LogCommitConflict(model, attempt);

            // Jittered back-off in real time (not the injected clock): it spaces out retries of writers
            // that collided, it is not a business timestamp.
            await Task.Delay(Random.Shared.Next(1, 4 * attempt), cancellationToken).ConfigureAwait(false);
        }

        LogConflictRetriesExhausted(model, _options.MaxCommitAttempts);
        return RegistryResult<ModelState>.Failure(RegistryErrorCode.Conflict,
            $"model '{model}' kept changing concurrently; gave up after {_options.MaxCommitAttempts} attempts, retry");
    }
}
