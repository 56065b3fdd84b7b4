using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// The embedded rollout store: one JSON policy per model under
/// <c>&lt;state directory&gt;/rollouts/&lt;model&gt;.json</c>, the same JSON the admin API speaks.
/// </summary>
/// <remarks>
/// Writes go to a temporary file that is flushed to disk and then renamed over the policy, so a reader
/// or a crash sees the old policy or the new one, never half of one, and a restart finds the last
/// committed policy. A commit holds a per-process lock (shared by every instance on the same directory)
/// and an exclusive OS lock on <c>rollouts/.lock</c> (so two processes on one directory also serialize),
/// then re-reads the revision and writes only if it is still the expected one. The change feed reports
/// commits made through this instance.
/// </remarks>
internal sealed class FileRolloutStore : IRolloutStore, IDisposable
{
    private const string LockFileName = ".lock";
    private static readonly TimeSpan FileLockTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> ProcessLocks = new(StringComparer.Ordinal);
    private static readonly JsonTypeInfo<RolloutPolicy> IndentedPolicy =
        new RolloutJsonContext(new JsonSerializerOptions(RolloutJsonContext.Default.Options) { WriteIndented = true }).RolloutPolicy;

    private readonly string _directory;
    private readonly SemaphoreSlim _processLock;
    private readonly ChangeFanOut _changes = new();

    /// <summary>Opens (creating if needed) the store under <paramref name="stateDirectory"/>.</summary>
    public FileRolloutStore(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        _directory = Path.Combine(Path.GetFullPath(stateDirectory), "rollouts");
        Directory.CreateDirectory(_directory);
        _processLock = ProcessLocks.GetOrAdd(_directory, static _ => new SemaphoreSlim(1, 1));
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
    public async Task<RolloutResult<RolloutPolicy>> CompareAndSwapAsync(RolloutPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (RolloutPolicyValidator.Check(policy) is { } invalid)
        {
            return invalid;
        }

        string path = PathOf(policy.Model);
        RolloutPolicy stored = policy with { Revision = policy.Revision + 1 };
        await _processLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using FileStream fileLock = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false);
            RolloutPolicy? current = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            long currentRevision = current?.Revision ?? 0;
            if (currentRevision != policy.Revision)
            {
                return Conflict(policy.Model, policy.Revision, currentRevision);
            }

            await WriteAtomicallyAsync(path, stored, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _processLock.Release();
        }

        _changes.Publish(policy.Model);
        return stored;
    }

    /// <inheritdoc />
    public async Task<RolloutResult<RolloutPolicy>> DeleteAsync(string model, long expectedRevision, CancellationToken cancellationToken = default)
    {
        if (!IsValidModel(model))
        {
            return RolloutResult<RolloutPolicy>.Failure(RolloutErrorCode.NotFound, $"no rollout policy for model '{model}'");
        }

        string path = PathOf(model);
        RolloutPolicy? current;
        await _processLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using FileStream fileLock = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false);
            current = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return RolloutResult<RolloutPolicy>.Failure(RolloutErrorCode.NotFound, $"no rollout policy for model '{model}'");
            }

            if (current.Revision != expectedRevision)
            {
                return Conflict(model, expectedRevision, current.Revision);
            }

            File.Delete(path);
        }
        finally
        {
            _processLock.Release();
        }

        _changes.Publish(model);
        return current;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default) => _changes.WatchAsync(cancellationToken);

    /// <summary>Ends every change feed.</summary>
    public void Dispose() => _changes.Dispose();

    private static RolloutResult<RolloutPolicy> Conflict(string model, long expected, long current) =>
        RolloutResult<RolloutPolicy>.Failure(RolloutErrorCode.Conflict, string.Create(CultureInfo.InvariantCulture,
            $"the rollout policy of '{model}' is at revision {current}, not {expected}: it changed since it was read; re-read it and retry"));

    private static bool IsValidModel(string? model) =>
        model is not null && RolloutPolicyValidator.IsValidModelName(model);

    private string PathOf(string model) => Path.Combine(_directory, model + ".json");

    private static Task<RolloutPolicy?> ReadAsync(string path, CancellationToken cancellationToken) =>
        JsonFileStore.ReadAsync(path, RolloutJsonContext.Default.RolloutPolicy, "rollout policy", cancellationToken);

    private static Task WriteAtomicallyAsync(string path, RolloutPolicy policy, CancellationToken cancellationToken) =>
        JsonFileStore.WriteAtomicallyAsync(path, policy, IndentedPolicy, cancellationToken);

    private Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken) =>
        JsonFileStore.AcquireLockAsync(Path.Combine(_directory, LockFileName), FileLockTimeout, cancellationToken);
}
