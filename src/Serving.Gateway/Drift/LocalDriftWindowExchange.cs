using System.Collections.Concurrent;
using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>
/// The per-process exchange, used when <c>Serving:Redis</c> is not set: a published window is read back
/// as it is, at once (no grace), so each replica evaluates its own traffic, as before windows were shared.
/// </summary>
internal sealed class LocalDriftWindowExchange : IDriftWindowExchange
{
    private readonly ConcurrentDictionary<(ReferenceProfile Profile, long WindowId), MergedDriftWindow> _published = new();

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public TimeSpan MergeGrace => TimeSpan.Zero;

    /// <inheritdoc />
    public ValueTask<bool> PublishAsync(DriftWindowKey key, DriftWindowSnapshot window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        _published.AddOrUpdate(
            (key.Profile, key.WindowId),
            static (_, w) => new MergedDriftWindow(w, 1),
            static (_, existing, w) => new MergedDriftWindow(existing.Window.Merge(w), existing.Replicas + 1),
            window);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public ValueTask<MergedDriftWindow?> TryReadMergedAsync(DriftWindowKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_published.TryRemove((key.Profile, key.WindowId), out var merged) ? merged : null);
}
