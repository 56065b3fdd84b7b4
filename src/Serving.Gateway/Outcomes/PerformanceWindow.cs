namespace Serving.Gateway.Outcomes;

/// <summary>
/// The sliding windows of one model, version and variant: the last <c>capacity</c> labelled predictions (score and
/// label) and the last <c>capacity</c> predictions whether labelled or not (scores only, for the label-free
/// estimate). Thread-safe; <see cref="Snapshot"/> copies them oldest first.
/// </summary>
internal sealed class PerformanceWindow(int capacity)
{
    private readonly Lock _lock = new();
    private readonly double[] _scores = new double[capacity];
    private readonly double[] _labels = new double[capacity];
    private readonly double[] _recent = new double[capacity];
    private long _labelled;
    private long _predicted;
    private int _dirty;

    /// <summary>Adds one labelled prediction, evicting the oldest when full.</summary>
    public void AddLabelled(double score, double label)
    {
        lock (_lock)
        {
            var slot = (int)(_labelled % capacity);
            _scores[slot] = score;
            _labels[slot] = label;
            _labelled++;
        }
        Volatile.Write(ref _dirty, 1);
    }

    /// <summary>Adds one prediction to the label-free window.</summary>
    public void AddPrediction(double score)
    {
        lock (_lock)
        {
            _recent[(int)(_predicted % capacity)] = score;
            _predicted++;
        }
        Volatile.Write(ref _dirty, 1);
    }

    /// <summary>Whether something was added since the last call (and clears the mark).</summary>
    public bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) == 1;

    /// <summary>Copies of the windows, oldest first, and how many were ever added.</summary>
    public WindowSnapshot Snapshot()
    {
        lock (_lock)
        {
            var labelled = (int)Math.Min(_labelled, capacity);
            var scores = new double[labelled];
            var labels = new double[labelled];
            var first = _labelled > capacity ? (int)(_labelled % capacity) : 0;
            for (var i = 0; i < labelled; i++)
            {
                scores[i] = _scores[(first + i) % capacity];
                labels[i] = _labels[(first + i) % capacity];
            }
            var predicted = (int)Math.Min(_predicted, capacity);
            var recent = new double[predicted];
            var firstRecent = _predicted > capacity ? (int)(_predicted % capacity) : 0;
            for (var i = 0; i < predicted; i++)
            {
                recent[i] = _recent[(firstRecent + i) % capacity];
            }
            return new WindowSnapshot(scores, labels, recent, _labelled, _predicted);
        }
    }
}
