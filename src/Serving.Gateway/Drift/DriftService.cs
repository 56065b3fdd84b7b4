using System.Globalization;
using Microsoft.Extensions.Options;
using Serving.Core.Drift;
using Serving.Gateway.Alerts;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Drift;

/// <summary>
/// The drift background loop: closes due windows of every monitored version, merges them with the other
/// replicas' through the <see cref="IDriftWindowExchange"/> (Redis when configured; a pass-through
/// otherwise), evaluates them (PSI, KS, multiple testing, alarm hysteresis), exports the gauges, logs each
/// alarm transition with its numbers and sends firing/resolved alerts. Never on the request path.
/// </summary>
internal sealed partial class DriftService(
    ModelHost host,
    AlertNotifier alerts,
    IDriftWindowExchange exchange,
    IOptions<DriftOptions> options,
    TimeProvider time,
    ILogger<DriftService> logger) : BackgroundService
{
    private readonly Dictionary<(string Model, string Version, string Column), DateTimeOffset> _firingSince = [];
    private readonly HashSet<VersionDriftMonitor> _exported = [];
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
    /// One pass over every monitored version: close the windows that are due, then evaluate those whose
    /// merge grace has passed. Internal so tests can drive it.
    /// </summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var live = new HashSet<VersionDriftMonitor>();
        foreach (var entry in host.Catalog.Models)
        {
            foreach (var version in entry.Versions)
            {
                if (version.Drift is not { } monitor || version.State is not (VersionState.Ready or VersionState.Draining))
                {
                    continue;
                }
                live.Add(monitor);
                DriftMetrics.CurrentWindowRows.WithLabels(version.Model, version.VersionText).Set(monitor.Recorder.CurrentRowCount);
                if (monitor.Recorder.RotateIfDue() is { } window)
                {
                    _windows.Close(monitor, window, cancellationToken);
                }
            }
        }
        foreach (var closed in await _windows.CollectDueAsync(live, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                Evaluate(closed);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogEvaluationFailed(logger, closed.Monitor.Profile.Model, closed.Monitor.Profile.Version, ex);
            }
        }
        foreach (var gone in _exported.Where(m => !live.Contains(m)).ToList())
        {
            RemoveGauges(gone);
            _exported.Remove(gone);
        }
    }

    private void Evaluate(ClosedDriftWindow closed)
    {
        var monitor = closed.Monitor;
        var evaluation = monitor.Evaluator.Evaluate(closed.Window, monitor.Thresholds);
        monitor.Last = evaluation;
        _exported.Add(monitor);
        var model = monitor.Profile.Model;
        var v = monitor.Profile.Version;
        DriftMetrics.Windows.WithLabels(model, v).Inc();
        DriftMetrics.WindowReplicas.WithLabels(model, v).Set(closed.Replicas);
        DriftMetrics.WindowRows.WithLabels(model, v).Set(evaluation.RowCount);
        DriftMetrics.LastEvaluation.WithLabels(model, v).Set(evaluation.EvaluatedAt.ToUnixTimeMilliseconds() / 1000.0);
        foreach (var column in evaluation.Columns)
        {
            DriftMetrics.Psi.WithLabels(model, v, column.Name).Set(column.Psi);
            DriftMetrics.KsStatistic.WithLabels(model, v, column.Name).Set(column.KsStatistic);
            DriftMetrics.KsPValue.WithLabels(model, v, column.Name).Set(column.PValue);
            DriftMetrics.KsAdjustedPValue.WithLabels(model, v, column.Name).Set(column.AdjustedPValue);
            DriftMetrics.Alarm.WithLabels(model, v, column.Name).Set(AlarmGaugeValue(column.AlarmState, column.AlarmSeverity));
        }
        foreach (var transition in evaluation.Transitions)
        {
            LogTransition(logger, transition.Model, transition.Version, transition.Column, transition.From, transition.To, transition.Severity,
                transition.Psi, transition.KsStatistic, transition.PValue, transition.AdjustedPValue, transition.LiveCount);
            Notify(transition);
        }
    }

    /// <summary>0 ok or resolved, 1 pending, 2 firing (warning), 3 firing (critical): what the alerting rules read.</summary>
    internal static int AlarmGaugeValue(AlarmState state, DriftSeverity severity) => state switch
    {
        AlarmState.Pending => 1,
        AlarmState.Firing => severity == DriftSeverity.Critical ? 3 : 2,
        _ => 0,
    };

    private void Notify(AlarmTransition t)
    {
        var key = (t.Model, t.Version, t.Column);
        if (t.To == AlarmState.Firing)
        {
            if (!_firingSince.TryGetValue(key, out var since))
            {
                _firingSince[key] = since = t.Timestamp;
            }
            alerts.Publish(BuildAlert(t, "firing", since, DateTimeOffset.MinValue));
        }
        else if (t.To == AlarmState.Resolved && t.From == AlarmState.Firing)
        {
            var since = _firingSince.Remove(key, out var s) ? s : t.Timestamp;
            alerts.Publish(BuildAlert(t, "resolved", since, t.Timestamp));
        }
    }

    private static Alert BuildAlert(AlarmTransition t, string status, DateTimeOffset startsAt, DateTimeOffset endsAt)
    {
        var critical = t.Severity == DriftSeverity.Critical;
        var name = critical ? "ModelDriftCritical" : "ModelDriftWarning";
        var inv = CultureInfo.InvariantCulture;
        return new Alert
        {
            Status = status,
            Labels = new Dictionary<string, string>
            {
                ["alertname"] = name,
                ["severity"] = critical ? "critical" : "warning",
                ["model"] = t.Model,
                ["version"] = t.Version,
                ["feature"] = t.Column,
                ["source"] = "serving-gateway",
            },
            Annotations = new Dictionary<string, string>
            {
                ["summary"] = $"{t.Model} v{t.Version}: {t.Column} has drifted ({(critical ? "critical" : "warning")})",
                ["description"] = string.Create(inv,
                    $"Window {t.WindowStart:u} to {t.WindowEnd:u}, {t.LiveCount} rows: PSI {t.Psi:F3}, KS D {t.KsStatistic:F3}, p {t.PValue:G3} (adjusted {t.AdjustedPValue:G3})."),
                ["runbook_url"] = critical ? "docs/runbooks/drift.md#modeldriftcritical" : "docs/runbooks/drift.md#modeldriftwarning",
            },
            StartsAt = startsAt,
            EndsAt = endsAt,
        };
    }

    private static void RemoveGauges(VersionDriftMonitor monitor)
    {
        var model = monitor.Profile.Model;
        var v = monitor.Profile.Version;
        foreach (var column in monitor.Profile.Columns)
        {
            DriftMetrics.Psi.RemoveLabelled(model, v, column.Name);
            DriftMetrics.KsStatistic.RemoveLabelled(model, v, column.Name);
            DriftMetrics.KsPValue.RemoveLabelled(model, v, column.Name);
            DriftMetrics.KsAdjustedPValue.RemoveLabelled(model, v, column.Name);
            DriftMetrics.Alarm.RemoveLabelled(model, v, column.Name);
        }
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

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Drift evaluation pass failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
