namespace Serving.Core.Drift;

/// <summary>How bad a drift signal is. Ordered: a larger value is more severe.</summary>
internal enum DriftSeverity
{
    /// <summary>No drift signal.</summary>
    None = 0,

    /// <summary>PSI at or above the warning threshold, or a significant adjusted KS p-value.</summary>
    Warning = 1,

    /// <summary>PSI at or above the critical threshold.</summary>
    Critical = 2,
}
