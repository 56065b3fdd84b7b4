using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// Everything an <see cref="AlarmStateMachine"/> needs to carry on after a restart: its state, since
/// when, its severity, the clean-window count towards resolution and the last windows it judged.
/// </summary>
internal sealed record AlarmSnapshot
{
    /// <summary>The alarm's name: the column, or <c>missing:</c> and the column for its missing-rate alarm.</summary>
    public required string Name { get; init; }

    /// <summary>The state.</summary>
    public required AlarmState State { get; init; }

    /// <summary>When the state was entered (for Firing: when the alarm fired).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The alarm's severity.</summary>
    public required DriftSeverity Severity { get; init; }

    /// <summary>Consecutive clean windows while firing.</summary>
    public required int CleanStreak { get; init; }

    /// <summary>The last windows judged (at most the rule's n), oldest first.</summary>
    public required ImmutableArray<AlarmWindow> Recent { get; init; }

    /// <summary>The ends of the drifting windows among <paramref name="windows"/>, oldest first: the evidence behind a Pending or Firing alarm.</summary>
    public static ImmutableArray<DateTimeOffset> DriftingWindowEnds(IEnumerable<AlarmWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var ends = ImmutableArray.CreateBuilder<DateTimeOffset>();
        foreach (AlarmWindow w in windows)
        {
            if (w.Drifting)
            {
                ends.Add(w.End);
            }
        }

        return ends.ToImmutable();
    }
}
