using System.Collections.Concurrent;
using System.Diagnostics;
using Serving.Gateway.Metrics;
using Serving.Gateway.Tracing;

namespace Serving.Gateway.Batching;

/// <summary>
/// The per-version queue in front of ONNX Runtime. Concurrent requests are concatenated along the
/// batch dimension, run as one call and scattered back, as Triton's dynamic batcher does.
///
/// The request that finds the version idle runs its batch on its own thread at once (so a lone
/// request waits for nothing), and if requests queued meanwhile it hands the draining over to the
/// version's runner thread and returns to write its response. Under load the runner drains the queue
/// back to back, taking everything queued (up to the row limit) each time. The runner is a dedicated
/// thread rather than a thread-pool work item: a busy runner would otherwise hold a pool thread for
/// as long as the load lasts and starve Kestrel's own work on small machines (measured: under 4x
/// overload on 2 cores, accepted requests waited 2.3 s at p50 with the pool hand-off).
/// The optional queue delay lets a partial batch wait for more rows, but only when requests are
/// already queueing behind each other.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly string _name;
    private Thread? _runner;
    private volatile bool _disposed;
    private readonly ConcurrentQueue<InferenceWorkItem> _queue = new();
    private readonly List<InferenceWorkItem> _batch = [];
    private readonly IBatchExecutor _executor;
    private readonly BatchingSettings _settings;
    private readonly VersionMetrics _metrics;
    private int _depth;
    private int _running;
    private int _lastBatchItems;
    private long _delayedBatches;
    private long _batchesRun;
    private readonly AdmissionWaitList _waiting = new();
    private readonly Func<bool> _hasRoom;

    public DynamicBatcher(IBatchExecutor executor, BatchingSettings settings, VersionMetrics metrics, string name = "batcher")
    {
        _hasRoom = () => !IsFull;
        _executor = executor;
        _settings = settings;
        _metrics = metrics;
        _name = name;
    }

    /// <summary>Whether the queue is at its limit: a new request would be refused.</summary>
    public bool IsFull => Volatile.Read(ref _depth) >= _settings.MaxQueueSize;

    /// <summary>Requests waiting now.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>Requests waiting, unread, for room in the full queue.</summary>
    public int Waiting => _waiting.Waiting;

    /// <summary>
    /// Whether a request may be read now without looking further: the queue has room and no request is
    /// waiting for it. When not, <see cref="WaitForRoomAsync"/> looks again and holds the request
    /// (unread) while the queue is full.
    /// </summary>
    public bool HasRoomNow => !IsFull && _waiting.Waiting == 0;

    /// <summary>Waits, at most <paramref name="wait"/> and behind at most <paramref name="maxWaiting"/> others, for room in the queue; false: refuse.</summary>
    public ValueTask<bool> WaitForRoomAsync(int maxWaiting, TimeSpan wait, CancellationToken aborted) =>
        _waiting.WaitAsync(_hasRoom, maxWaiting, wait, aborted);

    /// <summary>Batches that waited for more rows because of the queue delay (for tests and diagnostics).</summary>
    public long DelayedBatches => Interlocked.Read(ref _delayedBatches);

    /// <summary>ONNX Runtime calls made.</summary>
    public long BatchesRun => Interlocked.Read(ref _batchesRun);

    /// <summary>
    /// Queues <paramref name="item"/>; false when the queue is full (the caller answers 503). When the
    /// version was idle and <paramref name="runInline"/> is true, the item has already run when this
    /// returns; background work (shadow copies) passes false so that it only ever runs on the version's
    /// runner thread and never occupies a thread-pool thread for the length of a batch.
    /// </summary>
    public bool TryEnqueue(InferenceWorkItem item, bool runInline = true)
    {
        if (Interlocked.Increment(ref _depth) > _settings.MaxQueueSize)
        {
            Interlocked.Decrement(ref _depth);
            return false;
        }
        item.EnqueuedAt = Stopwatch.GetTimestamp();
        item.TraceParent = ServingActivities.RecordedParent();
        _queue.Enqueue(item);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            if (runInline)
            {
                Drain(inline: true);
            }
            else
            {
                WakeRunner();
            }
        }
        return true;
    }

    private void Drain(bool inline)
    {
        while (true)
        {
            RunOneBatch();
            if (!_queue.IsEmpty)
            {
                if (inline)
                {
                    // Keep the runner role but leave this request's thread to write its own response.
                    WakeRunner();
                    return;
                }
                continue;
            }
            Volatile.Write(ref _running, 0);
            // An item queued after the emptiness check and before the release would be stranded:
            // take the runner role back if so.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private void WakeRunner()
    {
        if (_runner is null)
        {
            lock (_wake)
            {
                if (_runner is null)
                {
                    _runner = new Thread(RunnerLoop) { IsBackground = true, Name = _name };
                    _runner.Start();
                }
            }
        }
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>The runner thread: drains whenever a request hands the runner role over.</summary>
    private void RunnerLoop()
    {
        while (true)
        {
            _wake.Wait();
            if (_disposed)
            {
                return;
            }
            Drain(inline: false);
        }
    }

    /// <summary>The runner thread, once a request handed the draining over to it (for tests: it ends after <see cref="Dispose"/>).</summary>
    internal Thread? RunnerThread => _runner;

    /// <summary>Stops the runner thread. Items still queued are completed as cancelled.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _depth);
            item.Complete(WorkStatus.Cancelled);
        }
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private void RunOneBatch()
    {
        var rows = Take(0);
        if (_batch.Count > 0 && _settings.MaxQueueDelayTicks > 0 && _settings.Batchable && rows < _settings.MaxBatchRows
            && (_lastBatchItems > 1 || _batch.Count > 1))
        {
            rows = WaitForMore(rows);
        }
        _lastBatchItems = _batch.Count;
        if (_batch.Count == 0)
        {
            return;
        }
        _metrics.QueueDepth.Set(Volatile.Read(ref _depth));
        var started = Stopwatch.GetTimestamp();
        foreach (var item in _batch)
        {
            _metrics.QueueDuration.Observe(Stopwatch.GetElapsedTime(item.EnqueuedAt, started).TotalSeconds);
        }
        var trace = ServingActivities.StartBatch(_batch, rows, started, _name);
        var status = Execute(_batch, rows, out var error);
        ServingActivities.StopBatch(trace, status == WorkStatus.Completed ? null : status.ToString(), error);
        _metrics.ComputeDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics.BatchRows.Observe(rows);
        Interlocked.Increment(ref _batchesRun);
        if (status != WorkStatus.Completed && _batch.Count > 1)
        {
            // One bad request must not fail the others that happened to share its batch: rerun alone.
            foreach (var item in _batch)
            {
                Complete(item, Execute([item], item.Rows, out var alone), alone);
            }
        }
        else
        {
            foreach (var item in _batch)
            {
                Complete(item, status, error);
            }
        }
        _batch.Clear();
    }

    private WorkStatus Execute(IReadOnlyList<InferenceWorkItem> batch, int rows, out string? error)
    {
        try
        {
            error = _executor.Execute(batch, rows);
            return error is null ? WorkStatus.Completed : WorkStatus.Failed;
        }
        catch (ModelInputException ex)
        {
            error = ex.Message;
            return WorkStatus.InvalidInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = "Inference failed: " + ex.Message;
            return WorkStatus.Failed;
        }
    }

    private static void Complete(InferenceWorkItem item, WorkStatus status, string? error)
    {
        item.Error = error;
        item.Complete(status);
    }

    /// <summary>Moves queued items into the batch while they fit; returns the batch's rows.</summary>
    private int Take(int rows)
    {
        var maxItems = _settings.Batchable ? int.MaxValue : 1;
        while (_batch.Count < maxItems && _queue.TryPeek(out var next))
        {
            if (_batch.Count > 0 && rows + next.Rows > _settings.MaxBatchRows)
            {
                break;
            }
            // Only the runner dequeues, so the peeked item is the one dequeued.
            _queue.TryDequeue(out _);
            Interlocked.Decrement(ref _depth);
            _waiting.RoomMade(1);
            if (next.Aborted.IsCancellationRequested)
            {
                next.Complete(WorkStatus.Cancelled);
                continue;
            }
            _batch.Add(next);
            rows += next.Rows;
        }
        return rows;
    }

    private int WaitForMore(int rows)
    {
        Interlocked.Increment(ref _delayedBatches);
        var deadline = _batch[0].EnqueuedAt + _settings.MaxQueueDelayTicks;
        var spinner = default(SpinWait);
        while (rows < _settings.MaxBatchRows && Stopwatch.GetTimestamp() < deadline)
        {
            var before = _batch.Count;
            rows = Take(rows);
            if (_batch.Count == before)
            {
                if (!_queue.IsEmpty)
                {
                    break; // the next request does not fit in this batch
                }
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
        return rows;
    }
}
