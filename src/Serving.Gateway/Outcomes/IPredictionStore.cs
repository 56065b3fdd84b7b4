namespace Serving.Gateway.Outcomes;

/// <summary>
/// Where logged predictions wait for their feedback: Redis (shared by replicas, with a TTL) or this process's memory.
/// Failures of the store are exceptions; the writer and the feedback API turn them into counts and 503s.
/// </summary>
internal interface IPredictionStore
{
    /// <summary>Keeps <paramref name="predictions"/> for the retention period.</summary>
    Task WriteAsync(IReadOnlyList<LoggedPrediction> predictions, CancellationToken cancellationToken);

    /// <summary>The prediction logged for <paramref name="requestId"/> of <paramref name="model"/>; null when never logged or no longer kept.</summary>
    Task<LoggedPrediction?> FindAsync(string model, string requestId, CancellationToken cancellationToken);

    /// <summary>Marks the prediction labelled; false when it was already (a duplicate), true the first time.</summary>
    Task<bool> TryMarkLabelledAsync(string model, string requestId, CancellationToken cancellationToken);
}
