using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Tasks.Sources;
using Serving.Core.Protocol;
using Serving.Gateway.Tracing;

namespace Serving.Gateway.Batching;

/// <summary>
/// Everything one inference request needs on its way through the gateway: the parsed request, its
/// result, the response buffers, and the completion the batcher signals. Pooled: <see cref="Rent"/>
/// and <see cref="Return"/> it; returning releases every tensor buffer to the array pool.
/// </summary>
internal sealed class InferenceWorkItem : IValueTaskSource<WorkStatus>, ITracedWork
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<InferenceWorkItem> Pool = new();
    private static int s_pooled;

    private ManualResetValueTaskSourceCore<WorkStatus> _completion = new() { RunContinuationsAsynchronously = true };

    public InferenceRequest Request { get; } = new();

    public InferenceResult Result { get; } = new();

    /// <summary>Holds the encoded response; kept across uses so steady traffic allocates nothing.</summary>
    public ArrayBufferWriter<byte> ResponseBuffer { get; } = new(1024);

    public Utf8JsonWriter JsonWriter { get; } = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });

    /// <summary>Signalled when the client disconnects; an item whose client left is dropped before it runs.</summary>
    public CancellationToken Aborted { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of entering the queue.</summary>
    public long EnqueuedAt { get; set; }

    /// <summary>The id the response carries (<see cref="Protocol.RequestIds"/>); keys the prediction log.</summary>
    public string? RequestId { get; set; }

    /// <summary>The recorded request span this item's queue-wait and batch spans belong under; default when not traced.</summary>
    public ActivityContext TraceParent { get; set; }

    /// <summary>Why the inference failed, when it did.</summary>
    public string? Error { get; set; }

    public int Rows => Request.BatchSize;

    public ValueTask<WorkStatus> Completion => new(this, _completion.Version);

    public static InferenceWorkItem Rent()
    {
        if (Pool.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref s_pooled);
            return item;
        }
        return new InferenceWorkItem();
    }

    public static void Return(InferenceWorkItem item)
    {
        item.Request.Release();
        item.Result.Release();
        item.Error = null;
        item.RequestId = null;
        item.Aborted = default;
        item.TraceParent = default;
        item._completion.Reset();
        if (item.ResponseBuffer.Capacity > 1 << 20)
        {
            // A huge response's buffer is not worth keeping alive in the pool.
            return;
        }
        item.ResponseBuffer.ResetWrittenCount();
        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            Pool.Enqueue(item);
        }
        else
        {
            Interlocked.Decrement(ref s_pooled);
        }
    }

    public void Complete(WorkStatus status) => _completion.SetResult(status);

    WorkStatus IValueTaskSource<WorkStatus>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<WorkStatus>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<WorkStatus>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
