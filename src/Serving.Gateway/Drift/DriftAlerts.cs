using System.Globalization;
using Microsoft.Extensions.Options;
using Serving.Core.Drift;
using Serving.Gateway.Alerts;

namespace Serving.Gateway.Drift;

/// <summary>
/// Turns drift alarms into alerts with a stable identity: one alert per (model, version, alarm) whose
/// labels (<c>alertname="ModelDrift"</c>, <c>model</c>, <c>version</c>, <c>feature</c>, <c>source</c>) never
/// change between firing, escalation and resolution. The severity is an annotation, not a label: in
/// Alertmanager labels are the identity, so a severity label would make an escalation a second alert.
/// Used by the evaluation loop only (not thread-safe).
/// </summary>
/// <remarks>
/// Fires on Pending/Ok → Firing, re-sends on escalation (same labels, new annotations), resolves on
/// Firing → Resolved and when the version stops being monitored (unloaded, archived). Firing alerts are
/// re-sent to Alertmanager every <see cref="AlertOptions.ResendInterval"/> with <c>endsAt</c> four
/// intervals ahead; at shutdown they are re-sent once more and left firing, because their alarm state is
/// persisted and restored on start (the restored alarm re-sends the same alert with the same
/// <c>startsAt</c>, so a restart neither loses nor duplicates it); a gateway that does not come back lets
/// them expire at their <c>endsAt</c>.
/// </remarks>
internal sealed class DriftAlerts(AlertNotifier notifier, IOptions<AlertOptions> options, TimeProvider time)
{
    /// <summary>The alert name of every drift alarm.</summary>
    public const string AlertName = "ModelDrift";

    private readonly Dictionary<(string Model, string Version, string Alarm), Firing> _firing = [];

    /// <summary>Alarms whose alert is firing now.</summary>
    public int FiringCount => _firing.Count;

    /// <summary>Sends what an alarm step means for its alert.</summary>
    public void OnTransition(AlarmTransition t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var key = (t.Model, t.Version, t.Column);
        if (t.To == AlarmState.Firing)
        {
            var description = string.Create(CultureInfo.InvariantCulture,
                $"Window {t.WindowStart:u} to {t.WindowEnd:u}, {t.LiveCount} rows: {Numbers(t)}.");
            Fire(key, t.Severity, t.Since, description, AlertTargets.All);
        }
        else if (t.From == AlarmState.Firing && _firing.Remove(key, out var firing))
        {
            notifier.Publish(firing.Alert with { Status = "resolved", EndsAt = t.Timestamp });
        }
    }

    /// <summary>
    /// Takes over the firing alarms of a version restored from persisted state: their alerts are re-sent
    /// to Alertmanager (same labels, same startsAt) and kept up from now on; webhooks already had them.
    /// </summary>
    public void Restore(string model, string version, IEnumerable<AlarmSnapshot> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        foreach (var alarm in alarms)
        {
            if (alarm.State == AlarmState.Firing)
            {
                Fire((model, version, alarm.Name), alarm.Severity, alarm.Since,
                    "Restored after a gateway restart; the window numbers are in /admin/drift.", AlertTargets.Alertmanager);
            }
        }
    }

    /// <summary>Resolves every firing alert of a version that is no longer monitored here.</summary>
    public void Retire(string model, string version)
    {
        var now = time.GetUtcNow();
        foreach (var key in _firing.Keys.Where(k => k.Model == model && k.Version == version).ToList())
        {
            var firing = _firing[key];
            _firing.Remove(key);
            var annotations = new Dictionary<string, string>(firing.Alert.Annotations)
            {
                ["description"] = $"{model} v{version} is no longer served here (unloaded or archived); its drift alarm is closed.",
            };
            notifier.Publish(firing.Alert with { Status = "resolved", EndsAt = now, Annotations = annotations });
        }
    }

    /// <summary>Re-sends to Alertmanager the firing alerts last sent a <see cref="AlertOptions.ResendInterval"/> ago or more.</summary>
    public void RefreshDue()
    {
        var now = time.GetUtcNow();
        foreach (var (key, firing) in _firing.ToList())
        {
            if (now - firing.SentAt >= options.Value.ResendInterval)
            {
                Send(key, firing.Alert, AlertTargets.Alertmanager);
            }
        }
    }

    /// <summary>At shutdown: re-sends every firing alert once more, so that it stays up until the restarted gateway takes it over.</summary>
    public void Flush()
    {
        foreach (var (key, firing) in _firing.ToList())
        {
            Send(key, firing.Alert, AlertTargets.Alertmanager);
        }
    }

    private void Fire((string Model, string Version, string Alarm) key, DriftSeverity severity, DateTimeOffset since, string description, AlertTargets targets)
    {
        var critical = severity == DriftSeverity.Critical;
        var level = critical ? "critical" : "warning";
        var alert = new Alert
        {
            Status = "firing",
            Labels = new Dictionary<string, string>
            {
                ["alertname"] = AlertName,
                ["model"] = key.Model,
                ["version"] = key.Version,
                ["feature"] = key.Alarm,
                ["source"] = "serving-gateway",
            },
            Annotations = new Dictionary<string, string>
            {
                ["severity"] = level,
                ["summary"] = key.Alarm.StartsWith(DriftEvaluator.MissingPrefix, StringComparison.Ordinal)
                    ? $"{key.Model} v{key.Version}: the missing (NaN/Inf) rate of {key.Alarm[DriftEvaluator.MissingPrefix.Length..]} has changed ({level})"
                    : $"{key.Model} v{key.Version}: {key.Alarm} has drifted ({level})",
                ["description"] = description,
                ["alarm_since"] = since.ToString("O", CultureInfo.InvariantCulture),
                ["runbook_url"] = critical ? "drift.md#modeldriftcritical" : "drift.md#modeldriftwarning",
            },
            StartsAt = since,
        };
        Send(key, alert, targets);
    }

    private void Send((string Model, string Version, string Alarm) key, Alert alert, AlertTargets targets)
    {
        var now = time.GetUtcNow();
        var sent = alert with { EndsAt = now + (4 * options.Value.ResendInterval) };
        _firing[key] = new Firing(sent, now);
        notifier.Publish(sent, targets);
    }

    private static string Numbers(AlarmTransition t) => t.Test == DriftTest.MissingRate
        ? string.Create(CultureInfo.InvariantCulture, $"missing rate {t.MissingRate:P1}, chi-square p {t.PValue:G3} (adjusted {t.AdjustedPValue:G3})")
        : string.Create(CultureInfo.InvariantCulture,
            $"PSI {t.Psi:F3}, {(t.Test == DriftTest.ChiSquare ? "chi-square" : "KS D " + t.KsStatistic.ToString("F3", CultureInfo.InvariantCulture) + ",")} p {t.PValue:G3} (adjusted {t.AdjustedPValue:G3})");

    private sealed record Firing(Alert Alert, DateTimeOffset SentAt);
}
