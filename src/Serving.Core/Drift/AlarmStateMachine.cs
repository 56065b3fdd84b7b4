using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// The alarm of one (model, version, column): Ok → Pending → Firing → Resolved → (Ok | Pending), with a
/// k-of-n rule to fire and hysteresis to resolve. Single-threaded: owned and stepped by the evaluation loop.
/// </summary>
/// <remarks>
/// The alarm remembers its last n judged windows (<see cref="DriftThresholds.FireWindow"/>). It fires when
/// at least k of them drifted (<see cref="DriftThresholds.FireAfter"/>), so intermittent drift (drift,
/// drift, clean, … or every other window) fires as well as a run of drifting windows; with n = k the
/// rule is "k consecutive". Between one and k − 1 drifting windows among the last n it is Pending; none,
/// it is Ok. Firing resolves after ResolveAfter consecutive clean windows; a drifting window restarts that
/// count, and resolving forgets the remembered windows. Resolved lasts one window: clean goes to Ok,
/// drifting starts a new streak. Insufficient-data windows change nothing. While Firing, a more severe
/// window raises the alarm's severity and is reported as a Firing → Firing step.
/// </remarks>
internal sealed class AlarmStateMachine
{
    private readonly Queue<AlarmWindow> _recent = new();
    private int _cleanStreak;

    /// <summary>Creates an alarm in the Ok state.</summary>
    /// <param name="name">The alarm's name (column, or <c>missing:</c> column).</param>
    /// <param name="since">When monitoring started.</param>
    public AlarmStateMachine(string name, DateTimeOffset since)
    {
        Name = name;
        Since = since;
    }

    /// <summary>The alarm's name.</summary>
    public string Name { get; }

    /// <summary>The current state.</summary>
    public AlarmState State { get; private set; } = AlarmState.Ok;

    /// <summary>When the current state was entered; for Firing, when the alarm fired (escalation keeps it).</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>The worst severity among the remembered drifting windows (Pending, Firing); None in Ok and Resolved.</summary>
    public DriftSeverity Severity { get; private set; }

    /// <summary>The ends of the remembered drifting windows, oldest first: the evidence behind a Pending or Firing alarm.</summary>
    public ImmutableArray<DateTimeOffset> DriftingWindows => AlarmSnapshot.DriftingWindowEnds(_recent);

    /// <summary>Feeds one window's verdict.</summary>
    /// <param name="verdict">The window's verdict for this alarm.</param>
    /// <param name="severity">The window's severity (None unless the verdict is Drift).</param>
    /// <param name="windowEnd">When the window closed.</param>
    /// <param name="thresholds">The rule: FireAfter of the last FireWindow windows, ResolveAfter clean to resolve.</param>
    /// <param name="now">The evaluation time.</param>
    /// <param name="previous">The state before this window.</param>
    /// <returns>True when the state changed, or a firing alarm's severity rose.</returns>
    public bool Observe(DriftVerdict verdict, DriftSeverity severity, DateTimeOffset windowEnd, DriftThresholds thresholds, DateTimeOffset now, out AlarmState previous)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        previous = State;
        if (verdict == DriftVerdict.InsufficientData)
        {
            return false;
        }

        bool drifting = verdict == DriftVerdict.Drift;
        _recent.Enqueue(new AlarmWindow(windowEnd, drifting, drifting ? severity : DriftSeverity.None));
        while (_recent.Count > Math.Max(thresholds.FireWindow, thresholds.FireAfter))
        {
            _recent.Dequeue();
        }

        (int drifts, DriftSeverity worst) = Count();
        switch (State)
        {
            case AlarmState.Ok:
            case AlarmState.Resolved:
            case AlarmState.Pending:
                if (drifts >= thresholds.FireAfter)
                {
                    Severity = worst;
                    _cleanStreak = 0;
                    return MoveTo(AlarmState.Firing, now);
                }

                if (drifts > 0)
                {
                    Severity = worst;
                    return State != AlarmState.Pending && MoveTo(AlarmState.Pending, now);
                }

                Severity = DriftSeverity.None;
                return State != AlarmState.Ok && MoveTo(AlarmState.Ok, now);

            default:
                if (drifting)
                {
                    _cleanStreak = 0;
                    if (severity > Severity)
                    {
                        Severity = severity;
                        return true;
                    }

                    return false;
                }

                if (++_cleanStreak < thresholds.ResolveAfter)
                {
                    return false;
                }

                _cleanStreak = 0;
                _recent.Clear();
                Severity = DriftSeverity.None;
                return MoveTo(AlarmState.Resolved, now);
        }
    }

    /// <summary>The alarm as plain values, to persist.</summary>
    public AlarmSnapshot ToSnapshot() => new()
    {
        Name = Name,
        State = State,
        Since = Since,
        Severity = Severity,
        CleanStreak = _cleanStreak,
        Recent = [.. _recent],
    };

    /// <summary>Puts the alarm back where a persisted snapshot left it.</summary>
    public void Restore(AlarmSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        State = snapshot.State;
        Since = snapshot.Since;
        Severity = snapshot.Severity;
        _cleanStreak = snapshot.CleanStreak;
        _recent.Clear();
        foreach (AlarmWindow w in snapshot.Recent)
        {
            _recent.Enqueue(w);
        }
    }

    private (int Drifts, DriftSeverity Worst) Count()
    {
        int drifts = 0;
        DriftSeverity worst = DriftSeverity.None;
        foreach (AlarmWindow w in _recent)
        {
            if (w.Drifting)
            {
                drifts++;
                worst = w.Severity > worst ? w.Severity : worst;
            }
        }

        return (drifts, worst);
    }

    private bool MoveTo(AlarmState state, DateTimeOffset now)
    {
        State = state;
        Since = now;
        return true;
    }
}
