using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// The prediction log in this process's memory, when no Redis is configured: at most
/// <see cref="OutcomeOptions.LocalCapacity"/> predictions, the oldest evicted first, none kept past the retention.
/// Only this replica can join what it served.
/// <para>
/// Entries are keyed by a 64-bit hash of (model, request id) and hold no reference to anything made per request (the
/// model, version and variant strings are the loaded version's own). The hundreds of thousands of entries kept for
/// late feedback are therefore plain values to the garbage collector: writing them marks no cards and collecting the
/// young generation never scans them. Keyed by string, the same store cost about 15 % of the CPU per request at
/// c = 64 and multiplied p99 by six (loadtests/RESULTS.md). Two ids colliding in 64 bits among 200,000 has a
/// probability of about 10⁻⁹; the later prediction would then answer for both.
/// </para>
/// </summary>
internal sealed class LocalPredictionStore : IPredictionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Entry> _entries = [];
    private readonly Queue<ulong> _order = new();
    private readonly int _capacity;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;

    public LocalPredictionStore(IOptions<OutcomeOptions> options, TimeProvider time)
    {
        _capacity = options.Value.LocalCapacity;
        _retention = options.Value.EffectiveRetention;
        _time = time;
    }

    /// <summary>Predictions held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public Task WriteAsync(IReadOnlyList<LoggedPrediction> predictions, CancellationToken cancellationToken)
    {
        var oldest = (_time.GetUtcNow() - _retention).UtcTicks;
        lock (_lock)
        {
            foreach (var prediction in predictions)
            {
                var key = Key(prediction.Model, prediction.RequestId);
                var entry = new Entry(prediction.Model, prediction.Version, prediction.Variant, prediction.Score, prediction.PredictedAt.UtcTicks, Labelled: false);
                if (_entries.TryAdd(key, entry))
                {
                    _order.Enqueue(key);
                }
                else
                {
                    // A client that reuses an id: the latest prediction is the one feedback joins.
                    _entries[key] = entry;
                }
            }
            while (_order.TryPeek(out var first)
                && (_entries.Count > _capacity || !_entries.TryGetValue(first, out var entry) || entry.PredictedAtTicks < oldest))
            {
                _entries.Remove(_order.Dequeue());
            }
        }
        return Task.CompletedTask;
    }

    public Task<LoggedPrediction?> FindAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        var oldest = (_time.GetUtcNow() - _retention).UtcTicks;
        lock (_lock)
        {
            return Task.FromResult(_entries.TryGetValue(Key(model, requestId), out var entry) && entry.PredictedAtTicks >= oldest
                ? new LoggedPrediction(entry.Model, entry.Version, entry.Variant, requestId, entry.Score, new DateTimeOffset(entry.PredictedAtTicks, TimeSpan.Zero))
                : null);
        }
    }

    public Task<bool> TryMarkLabelledAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, Key(model, requestId));
            if (Unsafe.IsNullRef(ref entry) || entry.Labelled)
            {
                return Task.FromResult(false);
            }
            entry = entry with { Labelled = true };
            return Task.FromResult(true);
        }
    }

    /// <summary>XxHash64 of the request id, seeded with the XxHash64 of the model name.</summary>
    private static ulong Key(string model, string requestId) =>
        XxHash64.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()), (long)XxHash64.HashToUInt64(MemoryMarshal.AsBytes(model.AsSpan())));

    private readonly record struct Entry(string Model, string Version, string Variant, double Score, long PredictedAtTicks, bool Labelled);
}
