namespace Serving.Core.Drift;

/// <summary>
/// The alarm of one (model, version, column): Ok → Pending → Firing → Resolved → (Ok | Pending), with
/// hysteresis. Single-threaded: owned and stepped by the evaluation loop.
/// </summary>
/// <remarks>
/// A drifting window from Ok or Resolved starts a streak (Pending, or Firing at once when FireAfter is 1);
/// Pending fires when the streak reaches FireAfter and falls back to Ok on a clean window. Firing resolves
/// after ResolveAfter consecutive clean windows; a drifting window restarts that count. Resolved lasts one
/// window: clean goes to Ok, drifting starts a new streak. Insufficient-data windows change nothing,
/// neither state nor streaks. While Firing, a more severe window raises the alarm's severity and is
/// reported as a Firing → Firing step.
/// </remarks>
internal sealed class AlarmStateMachine
{
    private int _badStreak;
    private int _goodStreak;

    /// <summary>Creates an alarm in the Ok state.</summary>
    /// <param name="since">When monitoring started.</param>
    public AlarmStateMachine(DateTimeOffset since)
    {
        Since = since;
    }

    /// <summary>The current state.</summary>
    public AlarmState State { get; private set; } = AlarmState.Ok;

    /// <summary>When the current state was entered.</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>The worst severity of the current bad streak or firing episode; None in Ok and Resolved.</summary>
    public DriftSeverity Severity { get; private set; }

    /// <summary>Feeds one window's verdict.</summary>
    /// <param name="verdict">The window's verdict for this column.</param>
    /// <param name="severity">The window's severity (None unless the verdict is Drift).</param>
    /// <param name="fireAfter">Consecutive drifting windows to fire, at least 1.</param>
    /// <param name="resolveAfter">Consecutive clean windows to resolve, at least 1.</param>
    /// <param name="now">The evaluation time.</param>
    /// <param name="previous">The state before this window.</param>
    /// <returns>True when the state changed, or a firing alarm's severity rose.</returns>
    public bool Observe(DriftVerdict verdict, DriftSeverity severity, int fireAfter, int resolveAfter, DateTimeOffset now, out AlarmState previous)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fireAfter, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolveAfter, 1);
        previous = State;
        if (verdict == DriftVerdict.InsufficientData)
        {
            return false;
        }

        bool drifting = verdict == DriftVerdict.Drift;
        switch (State)
        {
            case AlarmState.Ok:
            case AlarmState.Resolved:
                if (drifting)
                {
                    _badStreak = 1;
                    _goodStreak = 0;
                    Severity = severity;
                    return MoveTo(fireAfter <= 1 ? AlarmState.Firing : AlarmState.Pending, now);
                }

                return State == AlarmState.Resolved && MoveTo(AlarmState.Ok, now);

            case AlarmState.Pending:
                if (drifting)
                {
                    _badStreak++;
                    Severity = Max(Severity, severity);
                    return _badStreak >= fireAfter && MoveTo(AlarmState.Firing, now);
                }

                _badStreak = 0;
                Severity = DriftSeverity.None;
                return MoveTo(AlarmState.Ok, now);

            default:
                if (drifting)
                {
                    _goodStreak = 0;
                    if (severity > Severity)
                    {
                        Severity = severity;
                        return true;
                    }

                    return false;
                }

                _goodStreak++;
                if (_goodStreak < resolveAfter)
                {
                    return false;
                }

                _badStreak = 0;
                _goodStreak = 0;
                Severity = DriftSeverity.None;
                return MoveTo(AlarmState.Resolved, now);
        }
    }

    private bool MoveTo(AlarmState state, DateTimeOffset now)
    {
        State = state;
        Since = now;
        return true;
    }

    private static DriftSeverity Max(DriftSeverity a, DriftSeverity b) => a >= b ? a : b;
}
