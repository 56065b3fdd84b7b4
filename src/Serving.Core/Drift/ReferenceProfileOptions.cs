namespace Serving.Core.Drift;

/// <summary>How a <see cref="ReferenceProfile"/> is built from reference data. Immutable.</summary>
internal sealed record ReferenceProfileOptions
{
    /// <summary>The defaults: deciles and up to 10 000 reference values per column for KS.</summary>
    public static ReferenceProfileOptions Default { get; } = new();

    /// <summary>Bins before tied edges collapse; 10 puts the edges at the reference deciles. Between 2 and 64.</summary>
    public int BinCount { get; init; } = 10;

    /// <summary>
    /// The most reference values kept per column for the KS test. With more reference rows, every
    /// (rows/capacity)-th row is kept (a deterministic systematic sample). 10 000 keeps KS on its exact path
    /// whenever the live sample is at most as large (<see cref="KolmogorovSmirnov.MaxExactSampleSize"/>).
    /// </summary>
    public int SampleCapacity { get; init; } = KolmogorovSmirnov.MaxExactSampleSize;

    /// <summary>
    /// A column with at most this many distinct (finite) reference values is categorical: one bin per
    /// value plus an "unseen" bucket, tested with chi-square instead of decile PSI and KS (deciles collapse
    /// on such columns and miss mass moving between tied values). Default 20; 0 turns detection off.
    /// </summary>
    public int CategoricalMaxDistinct { get; init; } = 20;

    /// <summary>Columns declared categorical (model.json <c>drift.categorical</c>), whatever their number of distinct values.</summary>
    public IReadOnlySet<string> CategoricalColumns { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The most categories a categorical column may have.</summary>
    public const int MaxCategories = 256;
}
