using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Serving.Core.Outcomes;
using Serving.Gateway.Alerts;

namespace Serving.Gateway.ConceptDrift;

/// <summary>
/// The concept-drift alarm: a <see cref="VersionConceptDrift"/> (Page–Hinkley on the error stream) per model
/// version fed by every labelled prediction the feedback API joins. A detection fires the version's alarm —
/// gauge <c>serving_concept_drift_alarm</c> 1 and the alert <c>ModelConceptDrift</c> (labels model, version) to the
/// same webhooks and Alertmanager as data drift — which stays firing for <see cref="ConceptDriftOptions.Hold"/>
/// after the last detection (the detector re-learns the new error level after an alarm, so "resolved" can only
/// mean "no further rise for a while"). <see cref="Tick"/> (the <see cref="ConceptDriftService"/>) re-sends firing
/// alerts to Alertmanager every <see cref="AlertOptions.ResendInterval"/> with <c>endsAt</c> four intervals ahead,
/// as the drift alerts are, and resolves expired ones.
/// </summary>
internal sealed partial class ConceptDriftMonitor(
    AlertNotifier notifier,
    IOptions<ConceptDriftOptions> options,
    IOptions<AlertOptions> alertOptions,
    TimeProvider time,
    ILogger<ConceptDriftMonitor> logger) : ILabelledPredictionObserver
{
    /// <summary>The name of the gateway's concept-drift alert.</summary>
    public const string AlertName = "ModelConceptDrift";

    private readonly ConcurrentDictionary<(string Model, string Version), VersionConceptDrift> _versions = new();
    private readonly Dictionary<(string Model, string Version), DateTimeOffset> _sentAt = [];
    private readonly Lock _alarms = new();
    private int _changed;

    /// <summary>Whether an alarm started or ended since the last <see cref="TakeChanged"/> (the state must be persisted).</summary>
    public bool TakeChanged() => Interlocked.Exchange(ref _changed, 0) == 1;

    /// <inheritdoc />
    public void Observe(LabelledPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!options.Value.Enabled)
        {
            return;
        }

        var version = Version(prediction.Model, prediction.Version);
        lock (version.Gate)
        {
            if (version.Add(prediction) is not { } detected)
            {
                return;
            }

            var now = time.GetUtcNow();
            version.Detections++;
            version.LastDetectionAt = now;
            version.Since ??= now;
            version.Description = string.Create(CultureInfo.InvariantCulture,
                $"Page-Hinkley on {version.Errors.Classifier switch { true => "misclassifications", _ => "normalised absolute errors" }}: the mean error rose from {detected.BaselineError:0.###} over {detected.Observations} labelled predictions to {version.RecentError:0.###} recently (statistic above λ = {options.Value.Threshold:0.##}, δ = {options.Value.Delta:0.###}); {version.Labelled} labelled predictions seen. Data drift (PSI, KS) cannot see this: the relation between the inputs and the outcome has changed.");
            ConceptDriftMetrics.Alarm.WithLabels(version.Model, version.Version).Set(1);
            LogDetected(logger, version.Model, version.Version, detected.BaselineError, version.RecentError, version.Labelled);
            Fire(version, AlertTargets.All);
        }
    }

    /// <summary>The admin view of every version of <paramref name="model"/> that has seen labels, by version.</summary>
    public IReadOnlyDictionary<string, ConceptDriftStatus> Status(string model)
    {
        var result = new Dictionary<string, ConceptDriftStatus>(StringComparer.Ordinal);
        foreach (var ((m, v), version) in _versions)
        {
            if (m == model)
            {
                lock (version.Gate)
                {
                    result[v] = version.Status();
                }
            }
        }

        return result;
    }

    /// <summary>Re-sends firing alerts that are due and resolves those whose hold has passed.</summary>
    public void Tick()
    {
        var now = time.GetUtcNow();
        foreach (var version in _versions.Values)
        {
            lock (version.Gate)
            {
                if (version.Since is null || version.LastDetectionAt is not { } last)
                {
                    continue;
                }

                if (now - last >= options.Value.Hold)
                {
                    Resolve(version, now);
                }
                else if (!_sentAt.TryGetValue((version.Model, version.Version), out var sent) || now - sent >= alertOptions.Value.ResendInterval)
                {
                    Fire(version, AlertTargets.Alertmanager);
                }
            }
        }
    }

    /// <summary>The firing alarms, to persist.</summary>
    public List<ConceptDriftAlarmRecord> Firing()
    {
        var records = new List<ConceptDriftAlarmRecord>();
        foreach (var version in _versions.Values)
        {
            lock (version.Gate)
            {
                if (version is { Since: { } since, LastDetectionAt: { } last })
                {
                    records.Add(new ConceptDriftAlarmRecord(version.Model, version.Version, since, last, version.Detections, version.Description ?? ""));
                }
            }
        }

        return records;
    }

    /// <summary>Takes over alarms persisted by the previous run: firing again (same startsAt), re-sent to Alertmanager only (webhooks had them).</summary>
    public void Restore(IEnumerable<ConceptDriftAlarmRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            var version = Version(record.Model, record.Version);
            lock (version.Gate)
            {
                version.Since = record.Since;
                version.LastDetectionAt = record.LastDetectionAt;
                version.Detections = record.Detections;
                version.Description = record.Description;
                ConceptDriftMetrics.Alarm.WithLabels(version.Model, version.Version).Set(1);
                Fire(version, AlertTargets.Alertmanager);
            }
        }
    }

    private VersionConceptDrift Version(string model, string version) =>
        _versions.GetOrAdd((model, version), static (key, o) =>
        {
            ConceptDriftMetrics.Alarm.WithLabels(key.Model, key.Version).Set(0);
            return new VersionConceptDrift(key.Model, key.Version, o);
        }, options.Value);

    private void Fire(VersionConceptDrift version, AlertTargets targets)
    {
        var now = time.GetUtcNow();
        var alert = Alert(version) with { EndsAt = now + (4 * alertOptions.Value.ResendInterval) };
        lock (_alarms)
        {
            _sentAt[(version.Model, version.Version)] = now;
        }

        Interlocked.Exchange(ref _changed, 1);
        notifier.Publish(alert, targets);
    }

    private void Resolve(VersionConceptDrift version, DateTimeOffset now)
    {
        var alert = Alert(version) with { Status = "resolved", EndsAt = now };
        version.Since = null;
        version.Description = null;
        lock (_alarms)
        {
            _sentAt.Remove((version.Model, version.Version));
        }

        ConceptDriftMetrics.Alarm.WithLabels(version.Model, version.Version).Set(0);
        Interlocked.Exchange(ref _changed, 1);
        LogResolved(logger, version.Model, version.Version);
        notifier.Publish(alert);
    }

    private static Alert Alert(VersionConceptDrift version) => new()
    {
        Status = "firing",
        Labels = new Dictionary<string, string>
        {
            ["alertname"] = AlertName,
            ["model"] = version.Model,
            ["version"] = version.Version,
            ["source"] = "serving-gateway",
        },
        Annotations = new Dictionary<string, string>
        {
            ["severity"] = "critical",
            ["summary"] = $"{version.Model} v{version.Version}: its prediction errors have risen (concept drift)",
            ["description"] = version.Description ?? "",
            ["alarm_since"] = (version.Since ?? DateTimeOffset.UnixEpoch).ToString("O", CultureInfo.InvariantCulture),
            ["runbook_url"] = "drift.md#modelconceptdrift",
        },
        StartsAt = version.Since ?? DateTimeOffset.UnixEpoch,
    };

    [LoggerMessage(EventId = 6800, Level = LogLevel.Warning,
        Message = "Concept drift {Model} v{Version}: mean error rose from {Baseline:F3} to {Recent:F3} ({Labelled} labelled predictions); alarm firing")]
    private static partial void LogDetected(ILogger logger, string model, string version, double baseline, double recent, long labelled);

    [LoggerMessage(EventId = 6801, Level = LogLevel.Information, Message = "Concept drift {Model} v{Version}: no further rise during the hold; alarm resolved")]
    private static partial void LogResolved(ILogger logger, string model, string version);
}
