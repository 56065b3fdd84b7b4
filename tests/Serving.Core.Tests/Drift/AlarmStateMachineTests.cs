using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class AlarmStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Fire on 3 drifting of the last 5 judged windows; resolve after 2 clean in a row.
    private static readonly DriftThresholds Rule = DriftThresholds.Default with { FireAfter = 3, FireWindow = 5, ResolveAfter = 2 };

    private static bool Bad(AlarmStateMachine alarm, int minute, DriftSeverity severity = DriftSeverity.Warning, DriftThresholds? rule = null) =>
        alarm.Observe(DriftVerdict.Drift, severity, T0.AddMinutes(minute), rule ?? Rule, T0.AddMinutes(minute), out _);

    private static bool Good(AlarmStateMachine alarm, int minute, DriftThresholds? rule = null) =>
        alarm.Observe(DriftVerdict.NoDrift, DriftSeverity.None, T0.AddMinutes(minute), rule ?? Rule, T0.AddMinutes(minute), out _);

    private static AlarmStateMachine NewAlarm() => new("f", T0);

    [Fact]
    public void Observe_KConsecutiveBadWindows_Fires()
    {
        var alarm = NewAlarm();

        Assert.True(Bad(alarm, 1));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.False(Bad(alarm, 2));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.True(Bad(alarm, 3));
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(T0.AddMinutes(3), alarm.Since);
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], alarm.DriftingWindows.ToArray());
    }

    [Fact]
    public void Observe_DriftDriftCleanRepeating_FiresOnThirdDrift()
    {
        var alarm = NewAlarm();
        Bad(alarm, 1);
        Bad(alarm, 2);
        Good(alarm, 3);
        Assert.Equal(AlarmState.Pending, alarm.State);

        Assert.True(Bad(alarm, 4));

        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(4)], alarm.DriftingWindows.ToArray());
    }

    [Fact]
    public void Observe_EveryOtherWindowDrifts_FiresAndNeverResolvesWhileItContinues()
    {
        var alarm = NewAlarm();
        var fired = -1;
        for (var w = 0; w < 20; w++)
        {
            if (w % 2 == 0)
            {
                Bad(alarm, w);
            }
            else
            {
                Good(alarm, w);
            }
            if (alarm.State == AlarmState.Firing && fired < 0)
            {
                fired = w;
            }
            Assert.True(fired < 0 || alarm.State == AlarmState.Firing, $"window {w}: {alarm.State}");
        }

        // Drift at windows 0, 2, 4: three of the last five.
        Assert.Equal(4, fired);
    }

    [Fact]
    public void Observe_ConsecutiveRuleWithNEqualsK_IntermittentDriftDoesNotFire()
    {
        var consecutive = Rule with { FireWindow = 3 };
        var alarm = NewAlarm();
        for (var w = 0; w < 20; w++)
        {
            _ = w % 2 == 0 ? Bad(alarm, w, rule: consecutive) : Good(alarm, w, consecutive);
        }

        Assert.NotEqual(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void Observe_PendingWithNoDriftLeftInLastN_BackToOk()
    {
        var alarm = NewAlarm();
        Bad(alarm, 1);
        Bad(alarm, 2);
        for (var w = 3; w <= 6; w++)
        {
            Assert.False(Good(alarm, w));
            Assert.Equal(AlarmState.Pending, alarm.State);
        }

        Assert.True(Good(alarm, 7));
        Assert.Equal(AlarmState.Ok, alarm.State);
        Assert.Equal(DriftSeverity.None, alarm.Severity);
    }

    [Fact]
    public void Observe_FiringNeedsConsecutiveGood_ThenResolved()
    {
        var alarm = NewAlarm();
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
        Assert.Empty(alarm.DriftingWindows.ToArray());
    }

    [Fact]
    public void Observe_ResolvedThenGood_Ok()
    {
        AlarmStateMachine alarm = Resolved();

        Assert.True(alarm.Observe(DriftVerdict.NoDrift, DriftSeverity.None, T0.AddHours(1), Rule, T0.AddHours(1), out AlarmState previous));
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
        var alarm = NewAlarm();
        Bad(alarm, 1);
        Bad(alarm, 2);

        Assert.False(alarm.Observe(DriftVerdict.InsufficientData, DriftSeverity.None, T0.AddMinutes(3), Rule, T0.AddMinutes(3), out _));
        Assert.Equal(AlarmState.Pending, alarm.State);
        Assert.Equal(T0.AddMinutes(1), alarm.Since);

        // The gap is not a window: one more bad window fires.
        Assert.True(Bad(alarm, 4));
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void Observe_FireAfterOne_OkStraightToFiring()
    {
        var alarm = NewAlarm();

        Assert.True(alarm.Observe(DriftVerdict.Drift, DriftSeverity.Critical, T0, Rule with { FireAfter = 1, FireWindow = 1, ResolveAfter = 1 }, T0, out AlarmState previous));
        Assert.Equal(AlarmState.Ok, previous);
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
    }

    [Fact]
    public void Observe_SeverityRisesWhileFiring_ReportedOnceAsFiringToFiring()
    {
        var alarm = NewAlarm();
        Bad(alarm, 1);
        Bad(alarm, 2);
        Bad(alarm, 3);

        Assert.True(alarm.Observe(DriftVerdict.Drift, DriftSeverity.Critical, T0.AddMinutes(4), Rule, T0.AddMinutes(4), out AlarmState previous));
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
        var alarm = NewAlarm();
        Bad(alarm, 1, DriftSeverity.Critical);
        Bad(alarm, 2, DriftSeverity.Warning);
        Bad(alarm, 3, DriftSeverity.Warning);

        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal(DriftSeverity.Critical, alarm.Severity);
    }

    [Fact]
    public void Restore_Snapshot_ContinuesExactlyAsTheOriginal()
    {
        var original = NewAlarm();
        Bad(original, 1);
        Good(original, 2);
        Bad(original, 3);
        var restored = new AlarmStateMachine("f", T0.AddDays(1));

        restored.Restore(original.ToSnapshot());

        Assert.Equal(original.State, restored.State);
        Assert.Equal(original.Since, restored.Since);
        Assert.Equal(original.DriftingWindows.ToArray(), restored.DriftingWindows.ToArray());
        Assert.Equal(Bad(original, 4), Bad(restored, 4));
        Assert.Equal(AlarmState.Firing, restored.State);
        Assert.Equal(original.Since, restored.Since);
        Assert.Equal(Good(original, 5), Good(restored, 5));
        Assert.Equal(Good(original, 6), Good(restored, 6));
        Assert.Equal(AlarmState.Resolved, restored.State);
    }

    private static AlarmStateMachine Resolved()
    {
        var alarm = NewAlarm();
        Bad(alarm, 1);
        Bad(alarm, 2);
        Bad(alarm, 3);
        Good(alarm, 4);
        Good(alarm, 5);
        Assert.Equal(AlarmState.Resolved, alarm.State);
        return alarm;
    }
}
