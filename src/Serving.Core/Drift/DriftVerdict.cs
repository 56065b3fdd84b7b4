namespace Serving.Core.Drift;

/// <summary>The outcome of testing one column over one window.</summary>
internal enum DriftVerdict
{
    /// <summary>
    /// Too few live values (below <see cref="DriftThresholds.MinimumSampleSize"/>) or no reference data:
    /// nothing can be concluded. This is not "no drift".
    /// </summary>
    InsufficientData,

    /// <summary>Enough data and no threshold crossed.</summary>
    NoDrift,

    /// <summary>At least one threshold crossed; see the severity.</summary>
    Drift,
}
