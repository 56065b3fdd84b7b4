using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>
/// Where replicas pool their closed drift windows so that every replica evaluates the same counts:
/// each publishes its local window, then, after <see cref="MergeGrace"/>, reads the merged one back.
/// Used by the evaluation loop only, never on the request path.
/// </summary>
/// <remarks>
/// Implementations never throw for an unreachable or misbehaving store: a failed publish returns false and
/// a failed read returns null, so the caller evaluates its local window alone.
/// </remarks>
internal interface IDriftWindowExchange
{
    /// <summary>
    /// True when windows are merged across replicas: recorders must then rotate on aligned time
    /// boundaries (<see cref="DriftWindowOptions.AlignToDuration"/>) so that a window
    /// id means the same period everywhere. False for the per-process pass-through.
    /// </summary>
    bool IsShared { get; }

    /// <summary>How long after a window's end to wait for the other replicas' counts before reading.</summary>
    TimeSpan MergeGrace { get; }

    /// <summary>Adds this replica's closed window to the pool, atomically and at most once per window.</summary>
    /// <param name="key">Which window.</param>
    /// <param name="window">This replica's counts for it.</param>
    /// <param name="cancellationToken">Cancelled at shutdown.</param>
    /// <returns>True when the counts are in the pool (or already were); false when publishing failed.</returns>
    ValueTask<bool> PublishAsync(DriftWindowKey key, DriftWindowSnapshot window, CancellationToken cancellationToken);

    /// <summary>Reads the pooled window back.</summary>
    /// <param name="key">Which window.</param>
    /// <param name="cancellationToken">Cancelled at shutdown.</param>
    /// <returns>
    /// The merged window, or null when it cannot be read or does not contain this replica's published
    /// counts (then the caller evaluates its local window alone).
    /// </returns>
    ValueTask<MergedDriftWindow?> TryReadMergedAsync(DriftWindowKey key, CancellationToken cancellationToken);
}
