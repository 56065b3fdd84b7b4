namespace Serving.Core.Drift;

/// <summary>Which distribution produced a two-sample KS p-value.</summary>
internal enum KolmogorovSmirnovMethod
{
    /// <summary>The exact null distribution of the two-sample statistic (lattice-path counting).</summary>
    Exact,

    /// <summary>The one-sample Kolmogorov distribution at the effective size <c>round(n·m/(n+m))</c>.</summary>
    Asymptotic,
}
