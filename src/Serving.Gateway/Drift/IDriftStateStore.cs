namespace Serving.Gateway.Drift;

/// <summary>
/// Where each monitored version's alarms and window history are kept between restarts: a file under
/// <c>Serving:StateDirectory</c>, or Redis when <c>Serving:Redis</c> is set (beside the registry's state).
/// Used by the evaluation loop only; implementations never throw for an unreachable store (they log and
/// report failure).
/// </summary>
internal interface IDriftStateStore
{
    /// <summary>The version's persisted state, or null when there is none (or it cannot be read).</summary>
    Task<DriftVersionState?> LoadAsync(string model, string version, CancellationToken cancellationToken);

    /// <summary>Replaces the version's persisted state; false when the store failed.</summary>
    Task<bool> SaveAsync(string model, string version, DriftVersionState state, CancellationToken cancellationToken);

    /// <summary>Forgets the version's state (it was unloaded or archived); false when the store failed.</summary>
    Task<bool> DeleteAsync(string model, string version, CancellationToken cancellationToken);
}
