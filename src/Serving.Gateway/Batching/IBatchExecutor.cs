namespace Serving.Gateway.Batching;

/// <summary>Runs one batch of queued requests and fills each item's result (or error).</summary>
internal interface IBatchExecutor
{
    /// <summary>
    /// Runs <paramref name="batch"/> as one call when it holds several items (they are batchable) and
    /// scatters the outputs back. Completes nothing: the batcher completes the items afterwards.
    /// </summary>
    /// <returns>null on success, otherwise the error that applies to the whole batch.</returns>
    string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows);
}
