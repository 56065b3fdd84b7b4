using System.Diagnostics;

namespace Serving.Gateway.Tracing;

/// <summary>
/// The gateway's own spans, all from one <see cref="ActivitySource"/>: queue wait and batch execution
/// (<see cref="Batching.DynamicBatcher"/>) and forwarding to a worker (<see cref="Remote.RemoteForwarder"/>).
/// </summary>
/// <remarks>
/// Every method first asks <see cref="ActivitySource.HasListeners"/>: with tracing off no listener is
/// ever attached, so each returns at once and allocates nothing. With tracing on, spans are created
/// only under a request span that is recorded: a request sampled out (ratio 0, or a caller's
/// <c>traceparent</c> with the sampled flag clear) gets none of them, only the propagation of its context
/// that ASP.NET Core and HttpClient do anyway. Parent-based sampling would drop those children; not
/// creating them at all saves their allocation.
/// </remarks>
internal static class ServingActivities
{
    /// <summary>The name to add to a tracer (<c>AddSource</c>).</summary>
    public const string SourceName = "Serving.Gateway";

    /// <summary>A request's time in its version's queue, from being queued to its batch starting; child of the request's span.</summary>
    public const string QueueWaitName = "serving.queue_wait";

    /// <summary>One ONNX Runtime call for a batch; child of the first traced request in it, linked to every traced request in it.</summary>
    public const string BatchName = "serving.batch";

    /// <summary>Forwarding a request to a worker, retries included; child of the request's span, parent of each HTTP attempt.</summary>
    public const string ForwardName = "serving.forward";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The context a queued request's spans are children of: the current request span when it is
    /// recorded, else default (no spans for it).
    /// </summary>
    public static ActivityContext RecordedParent() =>
        Source.HasListeners() && Activity.Current is { Recorded: true } current ? current.Context : default;

    /// <summary>
    /// Starts the forwarding span under the current request span; a trace without a span when tracing is
    /// off or the request is not recorded. Dispose it when the client's answer is set.
    /// </summary>
    public static ForwardTrace StartForward(HttpContext context, string model, string path)
    {
        if (!Source.HasListeners() || Activity.Current is not { Recorded: true })
        {
            return default;
        }
        var span = Source.StartActivity(ForwardName, ActivityKind.Internal);
        span?.SetTag("serving.model", model);
        span?.SetTag("serving.forward.path", path);
        return new ForwardTrace(span, context);
    }

    /// <summary>
    /// Records the queue wait of every traced request in <paramref name="batch"/> (ended at
    /// <paramref name="started"/>, a <see cref="Stopwatch"/> timestamp) and starts the batch's span.
    /// </summary>
    public static BatchTrace StartBatch<TWork>(List<TWork> batch, int rows, long started, string batcher)
        where TWork : ITracedWork
    {
        if (!Source.HasListeners())
        {
            return default;
        }
        var previous = Activity.Current;
        List<ActivityLink>? links = null;
        var startedUtc = default(DateTime);
        foreach (var item in batch)
        {
            if (item.TraceParent == default)
            {
                continue;
            }
            if (links is null)
            {
                links = [];
                startedUtc = TimeProvider.System.GetUtcNow().UtcDateTime; // Activity timestamps are wall-clock by definition
            }
            links.Add(new ActivityLink(item.TraceParent));
            if (Source.CreateActivity(QueueWaitName, ActivityKind.Internal, item.TraceParent) is { } wait)
            {
                wait.SetTag("serving.batcher", batcher);
                wait.SetStartTime(startedUtc - Stopwatch.GetElapsedTime(item.EnqueuedAt, started));
                wait.Start();
                wait.SetEndTime(startedUtc);
                wait.Stop();
            }
        }
        if (links is null)
        {
            return default;
        }
        var span = Source.CreateActivity(BatchName, ActivityKind.Internal, links[0].Context, links: links);
        if (span is null)
        {
            Activity.Current = previous;
            return default;
        }
        span.SetTag("serving.batcher", batcher);
        span.SetTag("serving.batch.requests", batch.Count);
        span.SetTag("serving.batch.rows", rows);
        span.Start();
        return new BatchTrace(span, previous);
    }

    /// <summary>
    /// Ends the batch's span with its outcome (<paramref name="failure"/>: null when it completed, else the
    /// batcher's status name) and puts the thread's previous current activity back.
    /// </summary>
    public static void StopBatch(in BatchTrace trace, string? failure, string? error)
    {
        if (trace.Span is not { } span)
        {
            return;
        }
        if (failure is not null)
        {
            span.SetTag("serving.batch.status", failure);
            span.SetStatus(ActivityStatusCode.Error, error);
        }
        span.Stop();
        Activity.Current = trace.Previous;
    }
}
