using System.Collections.Concurrent;

namespace Serving.Core.Storage;

/// <summary>
/// The write lock of a file store's directory (registry, rollouts, audit): a per-process semaphore
/// shared by every instance on the same directory, then an exclusive OS lock on <c>.lock</c> inside it,
/// so writers in one process and in several processes on one directory all serialize. A store re-reads
/// under the lock and writes only if what it read is still current (its compare-and-swap).
/// </summary>
internal sealed class DirectoryLock
{
    private const string LockFileName = ".lock";
    private static readonly TimeSpan FileLockTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> ProcessLocks = new(StringComparer.Ordinal);

    private readonly string _lockFile;
    private readonly SemaphoreSlim _processLock;

    /// <summary>The lock of <paramref name="directory"/> (a full path; created if needed).</summary>
    public DirectoryLock(string directory)
    {
        Directory.CreateDirectory(directory);
        _lockFile = Path.Combine(directory, LockFileName);
        _processLock = ProcessLocks.GetOrAdd(directory, static _ => new SemaphoreSlim(1, 1));
    }

    /// <summary>Takes the lock; dispose the result to release it.</summary>
    public async Task<Held> AcquireAsync(CancellationToken cancellationToken)
    {
        await _processLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = await JsonFileStore.AcquireLockAsync(_lockFile, FileLockTimeout, cancellationToken).ConfigureAwait(false);
            return new Held(_processLock, file);
        }
        catch
        {
            _processLock.Release();
            throw;
        }
    }

    /// <summary>A held lock.</summary>
    internal sealed class Held(SemaphoreSlim processLock, FileStream file) : IDisposable
    {
        /// <summary>Releases the OS lock, then the process lock.</summary>
        public void Dispose()
        {
            file.Dispose();
            processLock.Release();
        }
    }
}
