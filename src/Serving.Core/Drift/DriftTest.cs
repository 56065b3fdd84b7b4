namespace Serving.Core.Drift;

/// <summary>What an alarm of a column tests.</summary>
internal enum DriftTest
{
    /// <summary>A continuous column's distribution: decile PSI (when significant) and the two-sample KS test.</summary>
    KolmogorovSmirnov,

    /// <summary>A categorical column's distribution: chi-square over its categories and an unseen bucket, and PSI over the same bins.</summary>
    ChiSquare,

    /// <summary>A column's missing (NaN or ±∞) rate against the reference's: chi-square on the 2 × 2 table.</summary>
    MissingRate,
}
