using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>
/// Between a window's local close and its evaluation: publishes it to the <see cref="IDriftWindowExchange"/>
/// at once (in the background), and hands it back for evaluation once the exchange's grace past the
/// window's aligned end has passed: the merged window when the exchange has it, this replica's own window
/// otherwise, so a failing exchange never loses an evaluation. Used by the evaluation loop only (not
/// thread-safe).
/// </summary>
internal sealed partial class DriftWindowCoordinator(IDriftWindowExchange exchange, TimeProvider time, ILogger logger)
{
    private readonly List<Pending> _pending = [];
    private long _sequence;

    /// <summary>Windows closed but not yet handed back.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Starts publishing a just-closed local window and schedules it.</summary>
    /// <param name="monitor">The version the window belongs to.</param>
    /// <param name="local">The window, as this replica recorded it.</param>
    /// <param name="cancellationToken">Cancelled at shutdown.</param>
    public void Close(VersionDriftMonitor monitor, DriftWindowSnapshot local, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(local);
        DriftWindowOptions windows = monitor.Recorder.Options;
        long id;
        DateTimeOffset due;
        if (windows.AlignToDuration)
        {
            id = windows.WindowIdOf(local.Start);
            due = windows.WindowStartOf(id + 1) + exchange.MergeGrace;
        }
        else
        {
            id = ++_sequence;
            due = time.GetUtcNow() + exchange.MergeGrace;
        }

        var key = new DriftWindowKey(monitor.Profile, windows.MaxDuration, id);
        if (exchange.IsShared && !windows.AlignToDuration)
        {
            // Unaligned window ids mean nothing to other replicas: never add such a window to theirs.
            _pending.Add(new Pending(monitor, key, local, Task.FromResult(false), time.GetUtcNow()));
            return;
        }

        _pending.Add(new Pending(monitor, key, local, PublishAsync(key, local, cancellationToken), due));
    }

    /// <summary>
    /// Hands back, in the order they closed, the windows whose grace has passed; drops those of versions
    /// no longer monitored.
    /// </summary>
    /// <param name="live">The versions still monitored.</param>
    /// <param name="cancellationToken">Cancelled at shutdown.</param>
    public async Task<IReadOnlyList<ClosedDriftWindow>> CollectDueAsync(IReadOnlySet<VersionDriftMonitor> live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(live);
        DateTimeOffset now = time.GetUtcNow();
        List<Pending>? due = null;
        for (int i = 0; i < _pending.Count; i++)
        {
            Pending p = _pending[i];
            if (!live.Contains(p.Monitor) || now >= p.Due)
            {
                _pending.RemoveAt(i--);
                if (live.Contains(p.Monitor))
                {
                    (due ??= []).Add(p);
                }
            }
        }

        if (due is null)
        {
            return [];
        }

        var resolving = new Task<ClosedDriftWindow>[due.Count];
        for (int i = 0; i < due.Count; i++)
        {
            resolving[i] = ResolveAsync(due[i], cancellationToken);
        }

        return await Task.WhenAll(resolving).ConfigureAwait(false);
    }

    private async Task<bool> PublishAsync(DriftWindowKey key, DriftWindowSnapshot local, CancellationToken cancellationToken)
    {
        try
        {
            return await exchange.PublishAsync(key, local, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogExchangeFault(logger, key.Profile.Model, key.Profile.Version, ex);
            return false;
        }
    }

    private async Task<ClosedDriftWindow> ResolveAsync(Pending p, CancellationToken cancellationToken)
    {
        try
        {
            if (await p.Publish.ConfigureAwait(false)
                && await exchange.TryReadMergedAsync(p.Key, cancellationToken).ConfigureAwait(false) is { } merged)
            {
                return new ClosedDriftWindow(p.Monitor, merged.Window, merged.Replicas, Merged: true);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogExchangeFault(logger, p.Key.Profile.Model, p.Key.Profile.Version, ex);
        }

        return new ClosedDriftWindow(p.Monitor, p.Local, 1, Merged: false);
    }

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "The drift window exchange failed unexpectedly for {Model} v{Version}; the local window is evaluated alone")]
    private static partial void LogExchangeFault(ILogger logger, string model, string version, Exception exception);

    private sealed record Pending(VersionDriftMonitor Monitor, DriftWindowKey Key, DriftWindowSnapshot Local, Task<bool> Publish, DateTimeOffset Due);
}
