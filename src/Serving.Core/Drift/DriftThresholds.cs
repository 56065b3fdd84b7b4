namespace Serving.Core.Drift;

/// <summary>
/// Per-model drift thresholds and alarm hysteresis. Immutable: a new configuration replaces the old one.
/// </summary>
internal sealed record DriftThresholds
{
    /// <summary>
    /// The defaults: PSI 0.1 / 0.25 (when significant), adjusted p &lt; 0.01 (Benjamini–Hochberg), the
    /// minimum sample derived from the bins, fire on 3 drifting of the last 5 windows, resolve after 3 clean,
    /// missing rate ± 0.05 / 0.25.
    /// </summary>
    public static DriftThresholds Default { get; } = new();

    /// <summary>
    /// PSI at or above this is a warning, provided it is also above sampling noise: its p-value under no
    /// drift (PSI · n·m/(n+m) ~ χ²(bins − 1)), adjusted across the model's columns, is below
    /// <see cref="KsPValue"/>. Default 0.1.
    /// </summary>
    public double PsiWarning { get; init; } = 0.1;

    /// <summary>PSI at or above this is critical. Default 0.25.</summary>
    public double PsiCritical { get; init; } = 0.25;

    /// <summary>
    /// The significance level: an adjusted KS (or, for categorical columns, chi-square) p-value below it is
    /// a warning; PSI and missing-rate changes only count when their adjusted p-value is below it. Default 0.01.
    /// </summary>
    public double KsPValue { get; init; } = 0.01;

    /// <summary>How KS p-values are adjusted across the model's columns. Default Benjamini–Hochberg.</summary>
    public MultipleTestingCorrection Correction { get; init; } = MultipleTestingCorrection.BenjaminiHochberg;

    /// <summary>
    /// A floor on the minimum sample. Each column needs at least 5 live values per bin of its test
    /// (<see cref="ReferenceColumn.MinimumSample"/>: 50 for deciles) or this many, whichever is larger;
    /// windows with fewer rows are pooled with the next ones until they reach it. Default 0 (derived only).
    /// </summary>
    public int MinimumSampleSize { get; init; }

    /// <summary>Drifting windows among the last <see cref="FireWindow"/> judged ones before an alarm fires (k of k-of-n). Default 3.</summary>
    public int FireAfter { get; init; } = 3;

    /// <summary>How many of the last judged windows the fire rule looks at (n of k-of-n, at least FireAfter). Default 5.</summary>
    public int FireWindow { get; init; } = 5;

    /// <summary>A missing (non-finite) rate this far from the reference's (absolute, when significant) is a warning. Default 0.05.</summary>
    public double MissingRateWarning { get; init; } = 0.05;

    /// <summary>A missing (non-finite) rate this far from the reference's (absolute, when significant) is critical. Default 0.25.</summary>
    public double MissingRateCritical { get; init; } = 0.25;

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
            : MinimumSampleSize < 0 ? "MinimumSampleSize must not be negative."
            : FireAfter < 1 ? "FireAfter must be at least 1."
            : FireWindow < FireAfter ? "FireWindow must be at least FireAfter."
            : !(MissingRateWarning > 0) ? "MissingRateWarning must be positive."
            : !(MissingRateCritical >= MissingRateWarning) ? "MissingRateCritical must be at least MissingRateWarning."
            : ResolveAfter < 1 ? "ResolveAfter must be at least 1."
            : null;
        return error is null;
    }
}
