using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class AlarmStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static bool Bad(AlarmStateMachine alarm, int minute, DriftSeverity severity = DriftSeverity.Warning) =>
        alarm.Observe(DriftVerdict.Drift, severity, 3, 2, T0.AddMinutes(minute), out _);

    private static bool Good(AlarmStateMachine alarm, int minute) =>
        alarm.Observe(DriftVerdict.NoDrift, DriftSeverity.None, 3, 2, T0.AddMinutes(minute), out _);

    [Fact]
    public void Observe_KConsecutiveBadWindows_Fires()
    {
        var alarm = new AlarmStateMachine(T0);

        Assert.True(Bad(alarm, 1));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.False(Bad(alarm, 2));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.True(Bad(alarm, 3));
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(T0.AddMinutes(3), alarm.Since);
    }

    [Fact]
    public void Observe_GoodWindowWhilePending_BackToOkAndStreakRestarts()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1);
        Bad(alarm, 2);

        Assert.True(Good(alarm, 3));
        Assert.Equal(AlarmState.Ok, alarm.State);

        Bad(alarm, 4);
        Bad(alarm, 5);
        Assert.Equal(AlarmState.Pending, alarm.State);
        Bad(alarm, 6);
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void Observe_FiringNeedsKConsecutiveGood_ThenResolved()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1);
        Bad(alarm, 2);
        Bad(alarm, 3);

        Assert.False(Good(alarm, 4));
        Assert.False(Bad(alarm, 5));
        Assert.False(Good(alarm, 6));
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.True(Good(alarm, 7));
        Assert.Equal(AlarmState.Resolved, alarm.State);
        Assert.Equal(DriftSeverity.None, alarm.Severity);
    }

    [Fact]
    public void Observe_ResolvedThenGood_Ok()
    {
        AlarmStateMachine alarm = Resolved();

        Assert.True(alarm.Observe(DriftVerdict.NoDrift, DriftSeverity.None, 3, 2, T0.AddHours(1), out AlarmState previous));
        Assert.Equal(AlarmState.Resolved, previous);
        Assert.Equal(AlarmState.Ok, alarm.State);
    }

    [Fact]
    public void Observe_ResolvedThenBad_Pending()
    {
        AlarmStateMachine alarm = Resolved();

        Assert.True(Bad(alarm, 60));
        Assert.Equal(AlarmState.Pending, alarm.State);
    }

    [Fact]
    public void Observe_InsufficientData_ChangesNothing()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1);
        Bad(alarm, 2);

        Assert.False(alarm.Observe(DriftVerdict.InsufficientData, DriftSeverity.None, 3, 2, T0.AddMinutes(3), out _));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.Equal(T0.AddMinutes(1), alarm.Since);

        // The streak survived the gap: one more bad window fires.
        Assert.True(Bad(alarm, 4));
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void Observe_FireAfterOne_OkStraightToFiring()
    {
        var alarm = new AlarmStateMachine(T0);

        Assert.True(alarm.Observe(DriftVerdict.Drift, DriftSeverity.Critical, 1, 1, T0, out AlarmState previous));
        Assert.Equal(AlarmState.Ok, previous);
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
    }

    [Fact]
    public void Observe_SeverityRisesWhileFiring_ReportedOnceAsFiringToFiring()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1);
        Bad(alarm, 2);
        Bad(alarm, 3);

        Assert.True(alarm.Observe(DriftVerdict.Drift, DriftSeverity.Critical, 3, 2, T0.AddMinutes(4), out AlarmState previous));
        Assert.Equal(AlarmState.Firing, previous);
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
        Assert.Equal(T0.AddMinutes(3), alarm.Since);
        Assert.False(Bad(alarm, 5, DriftSeverity.Critical));
        Assert.False(Bad(alarm, 6, DriftSeverity.Warning));
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
    }

    [Fact]
    public void Observe_SeverityWhilePending_IsWorstOfStreak()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1, DriftSeverity.Critical);
        Bad(alarm, 2, DriftSeverity.Warning);
        Bad(alarm, 3, DriftSeverity.Warning);

        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
    }

    private static AlarmStateMachine Resolved()
    {
        var alarm = new AlarmStateMachine(T0);
        Bad(alarm, 1);
        Bad(alarm, 2);
        Bad(alarm, 3);
        Good(alarm, 4);
        Good(alarm, 5);
        Assert.Equal(AlarmState.Resolved, alarm.State);
        return alarm;
    }
}
