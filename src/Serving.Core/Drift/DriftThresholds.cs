namespace Serving.Core.Drift;

/// <summary>
/// Per-model drift thresholds and alarm hysteresis. Immutable: a new configuration replaces the old one.
/// </summary>
internal sealed record DriftThresholds
{
    /// <summary>The defaults: PSI 0.1 / 0.25, KS adjusted p &lt; 0.01 (Benjamini–Hochberg), 100 values, 3 windows.</summary>
    public static DriftThresholds Default { get; } = new();

    /// <summary>PSI at or above this is a warning. Default 0.1.</summary>
    public double PsiWarning { get; init; } = 0.1;

    /// <summary>PSI at or above this is critical. Default 0.25.</summary>
    public double PsiCritical { get; init; } = 0.25;

    /// <summary>An adjusted KS p-value below this is a warning. Default 0.01.</summary>
    public double KsPValue { get; init; } = 0.01;

    /// <summary>How KS p-values are adjusted across the model's columns. Default Benjamini–Hochberg.</summary>
    public MultipleTestingCorrection Correction { get; init; } = MultipleTestingCorrection.BenjaminiHochberg;

    /// <summary>
    /// Below this many live (non-NaN) values in the window, or in its KS sample, a column's verdict is
    /// insufficient data. Default 100.
    /// </summary>
    public int MinimumSampleSize { get; init; } = 100;

    /// <summary>Consecutive drifting windows (insufficient-data windows skipped) before an alarm fires. Default 3.</summary>
    public int FireAfter { get; init; } = 3;

    /// <summary>Consecutive clean windows (insufficient-data windows skipped) before a firing alarm resolves. Default 3.</summary>
    public int ResolveAfter { get; init; } = 3;

    /// <summary>Checks the values; for configuration binding at the boundary.</summary>
    /// <param name="error">What is wrong, or null.</param>
    /// <returns>True when the thresholds are usable.</returns>
    public bool TryValidate(out string? error)
    {
        error = !(PsiWarning > 0) ? "PsiWarning must be positive."
            : !(PsiCritical >= PsiWarning) ? "PsiCritical must be at least PsiWarning."
            : !(KsPValue > 0 && KsPValue < 1) ? "KsPValue must be in (0, 1)."
            : !Enum.IsDefined(Correction) ? "Correction is not a known method."
            : MinimumSampleSize < 1 ? "MinimumSampleSize must be at least 1."
            : FireAfter < 1 ? "FireAfter must be at least 1."
            : ResolveAfter < 1 ? "ResolveAfter must be at least 1."
            : null;
        return error is null;
    }
}
