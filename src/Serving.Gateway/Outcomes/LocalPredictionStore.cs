using Microsoft.Extensions.Options;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// The prediction log in this process's memory, when no Redis is configured: at most
/// <see cref="OutcomeOptions.LocalCapacity"/> predictions, the oldest evicted first, none kept past the retention.
/// Only this replica can join what it served.
/// </summary>
internal sealed class LocalPredictionStore : IPredictionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Model, string Id), Entry> _entries = [];
    private readonly Queue<(string Model, string Id)> _order = new();
    private readonly int _capacity;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;

    public LocalPredictionStore(IOptions<OutcomeOptions> options, TimeProvider time)
    {
        _capacity = Math.Max(1, options.Value.LocalCapacity);
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
        var oldest = _time.GetUtcNow() - _retention;
        lock (_lock)
        {
            foreach (var prediction in predictions)
            {
                var key = (prediction.Model, prediction.RequestId);
                if (_entries.TryAdd(key, new Entry(prediction)))
                {
                    _order.Enqueue(key);
                }
                else
                {
                    // A client that reuses an id: the latest prediction is the one feedback joins.
                    _entries[key] = new Entry(prediction);
                }
            }
            while (_order.TryPeek(out var first)
                && (_entries.Count > _capacity || !_entries.TryGetValue(first, out var entry) || entry.Prediction.PredictedAt < oldest))
            {
                _entries.Remove(_order.Dequeue());
            }
        }
        return Task.CompletedTask;
    }

    public Task<LoggedPrediction?> FindAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_entries.TryGetValue((model, requestId), out var entry) && entry.Prediction.PredictedAt >= _time.GetUtcNow() - _retention
                ? entry.Prediction
                : null);
        }
    }

    public Task<bool> TryMarkLabelledAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue((model, requestId), out var entry) || entry.Labelled)
            {
                return Task.FromResult(false);
            }
            entry.Labelled = true;
            return Task.FromResult(true);
        }
    }

    private sealed class Entry(LoggedPrediction prediction)
    {
        public LoggedPrediction Prediction { get; } = prediction;

        public bool Labelled { get; set; }
    }
}
