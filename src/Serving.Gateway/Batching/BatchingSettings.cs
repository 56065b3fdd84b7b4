using System.Diagnostics;

namespace Serving.Gateway.Batching;

/// <summary>The batching and queue limits of one loaded version.</summary>
internal sealed record BatchingSettings
{
    /// <summary>Most rows per ONNX Runtime call; requests larger than this run alone.</summary>
    public required int MaxBatchRows { get; init; }

    /// <summary>Longest a partial batch waits for more rows under load, in Stopwatch ticks (0: never waits).</summary>
    public required long MaxQueueDelayTicks { get; init; }

    /// <summary>Most requests waiting; beyond it requests are refused.</summary>
    public required int MaxQueueSize { get; init; }

    /// <summary>Whether requests may share a call (false for models with a fixed batch dimension).</summary>
    public required bool Batchable { get; init; }

    /// <summary>
    /// A batch that ran on a request's own thread in at most this long (Stopwatch ticks; 50 µs) is followed, when
    /// requests queued meanwhile, by one more batch on that thread rather than by a wake-up of the runner thread:
    /// for a small model the wake-up and the second thread's cache misses cost about what the call does. 0: never.
    /// </summary>
    public long InlineFollowUpTicks { get; init; } = Stopwatch.Frequency / 20_000;
}
