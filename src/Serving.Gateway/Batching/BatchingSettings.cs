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
}
