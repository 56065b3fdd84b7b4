using Microsoft.Extensions.Options;
using Serving.Core.Drift;
using Serving.Gateway.Alerts;

namespace Serving.Gateway.Drift;

/// <summary>
/// The drift background loop: closes due windows of every monitored version, merges them with the other
/// replicas' through the <see cref="IDriftWindowExchange"/> (Redis when configured; a pass-through
/// otherwise), evaluates them (pooling windows too small to judge), exports the gauges, keeps the window
/// history, logs each alarm transition with its numbers, sends alerts through <see cref="DriftAlerts"/>
/// and persists alarms and history in the <see cref="IDriftStateStore"/>. Never on the request path.
/// </summary>
internal sealed partial class DriftService(
    IMonitoredVersions versions,
    DriftAlerts alerts,
    IDriftWindowExchange exchange,
    IDriftStateStore store,
    IOptions<DriftOptions> options,
    TimeProvider time,
    ILogger<DriftService> logger) : BackgroundService
{
    private readonly HashSet<VersionDriftMonitor> _known = [];
    private readonly HashSet<(string Model, string Version)> _unavailable = [];
    private readonly DriftWindowCoordinator _windows = new(exchange, time, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
                {
                    LogTickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Stops the loop, then re-sends the firing alerts once more: their alarms are persisted and the next
    /// start takes them over (see <see cref="DriftAlerts"/>).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        alerts.Flush();
    }

    /// <summary>
    /// One pass over every monitored version: restore the state of versions seen for the first time, close
    /// the windows that are due, evaluate those whose merge grace has passed, retire the versions that
    /// left (resolving their alerts), and re-send firing alerts that are due. Internal so tests can drive it.
    /// </summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var live = new HashSet<VersionDriftMonitor>();
        var unavailable = new HashSet<(string, string)>();
        foreach (var version in versions.Monitored())
        {
            if (version.Monitor is not { } monitor)
            {
                if (version.Unavailable is not null)
                {
                    unavailable.Add((version.Model, version.Version));
                    DriftMetrics.MonitorAvailable.WithLabels(version.Model, version.Version).Set(0);
                }
                continue;
            }
            live.Add(monitor);
            if (_known.Add(monitor))
            {
                await RestoreAsync(monitor, cancellationToken).ConfigureAwait(false);
            }
            DriftMetrics.MonitorAvailable.WithLabels(version.Model, version.Version).Set(1);
            DriftMetrics.CurrentWindowRows.WithLabels(version.Model, version.Version).Set(monitor.Recorder.CurrentRowCount);
            if (monitor.Recorder.RotateIfDue() is { } window)
            {
                _windows.Close(monitor, window, cancellationToken);
            }
        }
        foreach (var closed in await _windows.CollectDueAsync(live, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await EvaluateAsync(closed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogEvaluationFailed(logger, closed.Monitor.Profile.Model, closed.Monitor.Profile.Version, ex);
            }
        }
        foreach (var gone in _known.Where(m => !live.Contains(m)).ToList())
        {
            await RetireAsync(gone, cancellationToken).ConfigureAwait(false);
        }
        foreach (var (model, version) in _unavailable.Where(k => !unavailable.Contains(k)).ToList())
        {
            DriftMetrics.MonitorAvailable.RemoveLabelled(model, version);
        }
        _unavailable.Clear();
        _unavailable.UnionWith(unavailable);
        alerts.RefreshDue();
    }

    private async Task RestoreAsync(VersionDriftMonitor monitor, CancellationToken cancellationToken)
    {
        var model = monitor.Profile.Model;
        var version = monitor.Profile.Version;
        if (await store.LoadAsync(model, version, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return;
        }
        monitor.Evaluator.RestoreAlarms(state.Alarms);
        monitor.RestoreHistory(state.History);
        monitor.Alarms = monitor.Evaluator.SnapshotAlarms();
        alerts.Restore(model, version, monitor.Alarms);
        LogRestored(logger, model, version, state.History.Count);
    }

    private async Task RetireAsync(VersionDriftMonitor monitor, CancellationToken cancellationToken)
    {
        var model = monitor.Profile.Model;
        var version = monitor.Profile.Version;
        alerts.Retire(model, version);
        await store.DeleteAsync(model, version, cancellationToken).ConfigureAwait(false);
        RemoveGauges(monitor);
        _known.Remove(monitor);
    }

    private async Task EvaluateAsync(ClosedDriftWindow closed, CancellationToken cancellationToken)
    {
        var monitor = closed.Monitor;
        var model = monitor.Profile.Model;
        var v = monitor.Profile.Version;
        DriftMetrics.WindowReplicas.WithLabels(model, v).Set(closed.Replicas);
        if (monitor.Evaluator.Submit(closed.Window, monitor.Thresholds) is not { } evaluation)
        {
            // Too few rows yet: pooled with the next window; the last evaluation stays the evidence.
            DriftMetrics.PooledRows.WithLabels(model, v).Set(monitor.Evaluator.PooledRows);
            return;
        }
        monitor.Alarms = monitor.Evaluator.SnapshotAlarms();
        monitor.AddHistory(DriftHistoryWindow.From(evaluation), options.Value.HistorySize);
        DriftMetrics.PooledRows.WithLabels(model, v).Set(0);
        DriftMetrics.Windows.WithLabels(model, v).Inc();
        DriftMetrics.WindowRows.WithLabels(model, v).Set(evaluation.RowCount);
        DriftMetrics.LastEvaluation.WithLabels(model, v).Set(evaluation.EvaluatedAt.ToUnixTimeMilliseconds() / 1000.0);
        foreach (var column in evaluation.Columns)
        {
            DriftMetrics.Psi.WithLabels(model, v, column.Name).Set(column.Psi);
            DriftMetrics.KsStatistic.WithLabels(model, v, column.Name).Set(column.KsStatistic);
            DriftMetrics.KsPValue.WithLabels(model, v, column.Name).Set(column.PValue);
            DriftMetrics.KsAdjustedPValue.WithLabels(model, v, column.Name).Set(column.AdjustedPValue);
            DriftMetrics.MissingRate.WithLabels(model, v, column.Name).Set(column.MissingRate);
            DriftMetrics.Alarm.WithLabels(model, v, column.Name).Set(AlarmGaugeValue(column.AlarmState, column.AlarmSeverity));
        }
        foreach (var transition in evaluation.Transitions)
        {
            LogTransition(logger, transition.Model, transition.Version, transition.Column, transition.From, transition.To, transition.Severity,
                transition.Psi, transition.KsStatistic, transition.PValue, transition.AdjustedPValue, transition.LiveCount);
            alerts.OnTransition(transition);
        }
        await store.SaveAsync(model, v, new DriftVersionState(monitor.Alarms, monitor.History), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>0 ok or resolved, 1 pending, 2 firing (warning), 3 firing (critical): what the alerting rules read.</summary>
    internal static int AlarmGaugeValue(AlarmState state, DriftSeverity severity) => state switch
    {
        AlarmState.Pending => 1,
        AlarmState.Firing => severity == DriftSeverity.Critical ? 3 : 2,
        _ => 0,
    };

    private static void RemoveGauges(VersionDriftMonitor monitor)
    {
        var model = monitor.Profile.Model;
        var v = monitor.Profile.Version;
        foreach (var column in monitor.Profile.Columns)
        {
            foreach (var name in (ReadOnlySpan<string>)[column.Name, DriftEvaluator.MissingPrefix + column.Name])
            {
                DriftMetrics.Psi.RemoveLabelled(model, v, name);
                DriftMetrics.KsStatistic.RemoveLabelled(model, v, name);
                DriftMetrics.KsPValue.RemoveLabelled(model, v, name);
                DriftMetrics.KsAdjustedPValue.RemoveLabelled(model, v, name);
                DriftMetrics.MissingRate.RemoveLabelled(model, v, name);
                DriftMetrics.Alarm.RemoveLabelled(model, v, name);
            }
        }
        DriftMetrics.MonitorAvailable.RemoveLabelled(model, v);
        DriftMetrics.PooledRows.RemoveLabelled(model, v);
        DriftMetrics.WindowRows.RemoveLabelled(model, v);
        DriftMetrics.CurrentWindowRows.RemoveLabelled(model, v);
        DriftMetrics.LastEvaluation.RemoveLabelled(model, v);
        DriftMetrics.WindowReplicas.RemoveLabelled(model, v);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Drift alarm {Model} v{Version} {Column}: {From} -> {To} ({Severity}); PSI {Psi:F4}, KS D {D:F4}, p {P:G4}, adjusted p {AdjustedP:G4}, {Rows} rows")]
    private static partial void LogTransition(ILogger logger, string model, string version, string column, AlarmState from, AlarmState to,
        DriftSeverity severity, double psi, double d, double p, double adjustedP, long rows);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Drift evaluation of a window of {Model} v{Version} failed")]
    private static partial void LogEvaluationFailed(ILogger logger, string model, string version, Exception exception);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Drift state of {Model} v{Version} restored: alarms and {Windows} closed windows")]
    private static partial void LogRestored(ILogger logger, string model, string version, int windows);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Drift evaluation pass failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
