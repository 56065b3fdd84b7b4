using System.Text.Json.Serialization.Metadata;

namespace Serving.Core.Storage;

/// <summary>
/// The one compare-and-swap of the embedded file stores (registry documents, rollout policies): under the
/// directory's <see cref="DirectoryLock"/>, read the stored document, and only if its revision is still the
/// expected one, commit (the store appends its audit entries and writes or deletes the document), so two
/// writers, in this process or another, never both win from the same revision.
/// </summary>
internal static class FileCompareAndSwap
{
    /// <summary>
    /// Reads <paramref name="path"/> under <paramref name="directoryLock"/>; when <paramref name="revisionOf"/>
    /// the stored document (null: none) is <paramref name="expectedRevision"/>, runs <paramref name="commit"/>
    /// on it before releasing the lock. Returns whether it committed and the document as it was read.
    /// </summary>
    public static async Task<(bool Committed, T? Stored)> RunAsync<T>(
        DirectoryLock directoryLock,
        string path,
        JsonTypeInfo<T> type,
        string what,
        Func<T?, long> revisionOf,
        long expectedRevision,
        Func<T?, Task> commit,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(directoryLock);
        ArgumentNullException.ThrowIfNull(revisionOf);
        ArgumentNullException.ThrowIfNull(commit);
        using (await directoryLock.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            var stored = await JsonFileStore.ReadAsync(path, type, what, cancellationToken).ConfigureAwait(false);
            if (revisionOf(stored) != expectedRevision)
            {
                return (false, stored);
            }

            await commit(stored).ConfigureAwait(false);
            return (true, stored);
        }
    }
}
