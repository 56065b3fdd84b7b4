namespace Serving.Core.Drift;

/// <summary>
/// One alarm state change (or a firing alarm's severity rising, From = To = Firing), with the numbers
/// that caused it. The gateway logs it and delivers it as a webhook; the library does no I/O.
/// </summary>
internal sealed record AlarmTransition
{
    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The model version.</summary>
    public required string Version { get; init; }

    /// <summary>The alarm's name: the column (feature or <c>output:</c> name), or <c>missing:</c> and the column.</summary>
    public required string Column { get; init; }

    /// <summary>What the alarm tests.</summary>
    public required DriftTest Test { get; init; }

    /// <summary>When the alarm entered <see cref="To"/>; for a firing alarm, when it fired (escalation keeps it).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The window's live missing rate of the column.</summary>
    public required double MissingRate { get; init; }

    /// <summary>Feature or output.</summary>
    public required DriftColumnKind Kind { get; init; }

    /// <summary>The state before.</summary>
    public required AlarmState From { get; init; }

    /// <summary>The state after.</summary>
    public required AlarmState To { get; init; }

    /// <summary>The alarm's severity after the step (None once resolved or back to Ok).</summary>
    public required DriftSeverity Severity { get; init; }

    /// <summary>The window's PSI.</summary>
    public required double Psi { get; init; }

    /// <summary>The window's KS statistic D.</summary>
    public required double KsStatistic { get; init; }

    /// <summary>The window's raw p-value of the alarm's test (KS or chi-square).</summary>
    public required double PValue { get; init; }

    /// <summary>That p-value after multiple-testing adjustment.</summary>
    public required double AdjustedPValue { get; init; }

    /// <summary>Live (non-NaN) values of the column in the window.</summary>
    public required long LiveCount { get; init; }

    /// <summary>When the window opened.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>When the window closed.</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>When the step happened (the evaluation time).</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
