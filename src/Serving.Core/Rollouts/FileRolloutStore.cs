using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Serving.Core.Registry;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// The embedded rollout store: one JSON policy per model under
/// <c>&lt;state directory&gt;/rollouts/&lt;model&gt;.json</c>, the same JSON the admin API speaks.
/// </summary>
/// <remarks>
/// Writes go to a temporary file that is flushed to disk and then renamed over the policy, so a reader
/// or a crash sees the old policy or the new one, never half of one, and a restart finds the last
/// committed policy. A commit (<see cref="FileCompareAndSwap"/>) holds the directory's <see cref="DirectoryLock"/>, re-reads the revision
/// and writes only if it is still the expected one, appending an entry to the model's audit trail
/// (<see cref="FileAuditTrail"/>, shared with the registry) just before. The change feed reports commits made
/// through this instance.
/// </remarks>
internal sealed class FileRolloutStore : IRolloutStore, IDisposable
{
    private static readonly JsonTypeInfo<RolloutPolicy> IndentedPolicy =
        new RolloutJsonContext(new JsonSerializerOptions(RolloutJsonContext.Default.Options) { WriteIndented = true }).RolloutPolicy;

    private readonly string _directory;
    private readonly DirectoryLock _lock;
    private readonly FileAuditTrail _audit;
    private readonly TimeProvider _timeProvider;
    private readonly ChangeFanOut _changes = new();

    /// <summary>Opens (creating if needed) the store under <paramref name="stateDirectory"/>.</summary>
    public FileRolloutStore(string stateDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        _directory = Path.Combine(Path.GetFullPath(stateDirectory), "rollouts");
        _lock = new DirectoryLock(_directory);
        _audit = new FileAuditTrail(stateDirectory);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The directory holding the policy files.</summary>
    public string PolicyDirectory => _directory;

    /// <inheritdoc />
    public Task<RolloutPolicy?> GetAsync(string model, CancellationToken cancellationToken = default) =>
        IsValidModel(model) ? ReadAsync(PathOf(model), cancellationToken) : Task.FromResult<RolloutPolicy?>(null);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RolloutPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        string[] files = Directory.GetFiles(_directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var policies = new List<RolloutPolicy>(files.Length);
        foreach (string file in files)
        {
            if (IsValidModel(Path.GetFileNameWithoutExtension(file))
                && await ReadAsync(file, cancellationToken).ConfigureAwait(false) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    /// <inheritdoc />
    public async Task<StoreResult<RolloutPolicy>> CompareAndSwapAsync(RolloutPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (RolloutPolicyValidator.Check(policy) is { } invalid)
        {
            return invalid;
        }

        string path = PathOf(policy.Model);
        RolloutPolicy stored = policy with { Revision = policy.Revision + 1 };
        var (committed, current) = await FileCompareAndSwap.RunAsync(
            _lock, path, RolloutJsonContext.Default.RolloutPolicy, "rollout policy", static found => found?.Revision ?? 0, policy.Revision,
            async before =>
            {
                // The trail first: readers (other processes on this directory) see the policy only once its
                // entry is written, and the policy becomes visible at the very end, as without a trail.
                if (RolloutAudit.Set(before, stored, _timeProvider.GetUtcNow()) is { } entry)
                {
                    await _audit.AppendAsync(policy.Model, [entry], cancellationToken).ConfigureAwait(false);
                }

                await WriteAtomicallyAsync(path, stored, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (!committed)
        {
            return RolloutStoreErrors.Conflict(policy.Model, policy.Revision, current?.Revision ?? 0);
        }

        _changes.Publish(policy.Model);
        return stored;
    }

    /// <inheritdoc />
    public async Task<StoreResult<RolloutPolicy>> DeleteAsync(
        string model, long expectedRevision, ChangeContext? context = null, CancellationToken cancellationToken = default)
    {
        if (!IsValidModel(model))
        {
            return RolloutStoreErrors.NotFound(model);
        }

        string path = PathOf(model);

        // A missing policy has no revision to match: -1 never equals one, so it is reported, not deleted.
        var (committed, current) = await FileCompareAndSwap.RunAsync(
            _lock, path, RolloutJsonContext.Default.RolloutPolicy, "rollout policy", static found => found?.Revision ?? -1, expectedRevision,
            async deleted =>
            {
                await _audit.AppendAsync(model, [RolloutAudit.Delete(deleted!, context ?? new ChangeContext(null, null), _timeProvider.GetUtcNow())], cancellationToken)
                    .ConfigureAwait(false);
                File.Delete(path);
            },
            cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return RolloutStoreErrors.NotFound(model);
        }

        if (!committed)
        {
            return RolloutStoreErrors.Conflict(model, expectedRevision, current.Revision);
        }

        _changes.Publish(model);
        return current;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default) => _changes.WatchAsync(cancellationToken);

    /// <summary>Ends every change feed.</summary>
    public void Dispose() => _changes.Dispose();

    private static bool IsValidModel(string? model) =>
        model is not null && RolloutPolicyValidator.IsValidModelName(model);

    private string PathOf(string model) => Path.Combine(_directory, model + ".json");

    private static Task<RolloutPolicy?> ReadAsync(string path, CancellationToken cancellationToken) =>
        JsonFileStore.ReadAsync(path, RolloutJsonContext.Default.RolloutPolicy, "rollout policy", cancellationToken);

    private static Task WriteAtomicallyAsync(string path, RolloutPolicy policy, CancellationToken cancellationToken) =>
        JsonFileStore.WriteAtomicallyAsync(path, policy, IndentedPolicy, cancellationToken);
}
