using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serving.Core.Storage;

/// <summary>
/// The file primitives of the embedded stores (registry, rollouts): read a JSON document, replace it
/// atomically (write a temporary file, flush it to disk, rename over the old one, so a crash leaves the
/// old or the new document and never half of one), and take the directory's cross-process lock.
/// </summary>
internal static class JsonFileStore
{
    /// <summary>Reads <paramref name="path"/>; null when it does not exist; <see cref="InvalidDataException"/> when it is empty or corrupt.</summary>
    public static async Task<T?> ReadAsync<T>(string path, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
        where T : class
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"{what} {path} is empty");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{what} {path} is corrupt: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="value"/> atomically.</summary>
    public static async Task WriteAtomicallyAsync<T>(string path, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, value, type, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Takes the exclusive lock file <paramref name="path"/> (an advisory lock, flock on Unix, held until the
    /// returned stream is disposed), retrying until <paramref name="timeout"/>.
    /// </summary>
    public static async Task<FileStream> AcquireLockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Elapsed time on the monotonic clock: a wall-clock step cannot stretch or cut the wait.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
