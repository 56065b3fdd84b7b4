namespace Serving.Core.Drift;

/// <summary>The state of one drift alarm, per (model, version, column).</summary>
internal enum AlarmState
{
    /// <summary>No drift, or not enough consecutive bad windows yet to say anything.</summary>
    Ok,

    /// <summary>At least one bad window, fewer than the number needed to fire.</summary>
    Pending,

    /// <summary>Enough consecutive bad windows: the alarm is raised.</summary>
    Firing,

    /// <summary>Was firing and enough consecutive good windows followed; the next window decides Ok or Pending.</summary>
    Resolved,
}
