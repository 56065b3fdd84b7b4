using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serving.Core.Storage;

/// <summary>
/// A replica's last known content of a shared store (the Redis registry or rollouts), in memory and in a
/// file under the state directory, so that a gateway that starts while the store is down serves what it
/// served before, and a store that lost its data can be restored from it.
/// </summary>
/// <typeparam name="T">A model state or a rollout policy.</typeparam>
/// <remarks>
/// The file is replaced atomically (see <see cref="JsonFileStore"/>) and only when its content changed,
/// so a periodic re-read of an unchanged store writes nothing. An unreadable file is ignored: the
/// replica then starts as if it had no snapshot.
/// </remarks>
internal sealed class StoreSnapshot<T>
{
    private readonly string _path;
    private readonly JsonTypeInfo<SnapshotDocument<T>> _type;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile SnapshotDocument<T> _current;
    private byte[] _written = [];

    /// <summary>Opens the snapshot at <paramref name="path"/>, loading it when it exists and is readable.</summary>
    public StoreSnapshot(string path, JsonTypeInfo<SnapshotDocument<T>> type)
    {
        _path = Path.GetFullPath(path);
        _type = type;
        _current = Load(_path, type) ?? new SnapshotDocument<T>(null, []);
    }

    /// <summary>The file holding the snapshot.</summary>
    public string FilePath => _path;

    /// <summary>The epoch of the store the items were last read from; null when the store was never read.</summary>
    public string? Epoch => _current.Epoch;

    /// <summary>The last known content, ordered by model name; empty when nothing is known.</summary>
    public ImmutableArray<T> Items => _current.Items;

    /// <summary>Remembers what was just read from the store under <paramref name="epoch"/>, writing the file if it changed.</summary>
    public async Task RememberAsync(string epoch, IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        var document = new SnapshotDocument<T>(epoch, [.. items]);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, _type);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _current = document;
            if (bytes.AsSpan().SequenceEqual(_written))
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            await JsonFileStore.WriteAtomicallyAsync(_path, document, _type, cancellationToken).ConfigureAwait(false);
            _written = bytes;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static SnapshotDocument<T>? Load(string path, JsonTypeInfo<SnapshotDocument<T>> type)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
