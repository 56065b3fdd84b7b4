using System.Diagnostics;

namespace Serving.Gateway.Tracing;

/// <summary>
/// A queued request as the batch span sees it (<see cref="ServingActivities.StartBatch"/>): when it entered its
/// queue and the request span it belongs under. Owned here so that tracing does not reference the batcher
/// (Batching's work item implements it).
/// </summary>
internal interface ITracedWork
{
    /// <summary><see cref="Stopwatch"/> timestamp of entering the queue.</summary>
    long EnqueuedAt { get; }

    /// <summary>The recorded request span this item's queue-wait and batch spans belong under; default when not traced.</summary>
    ActivityContext TraceParent { get; }
}
