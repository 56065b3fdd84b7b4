using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Serving.Core.Drift;

/// <summary>
/// The frozen reference of one column (a feature or an output) of one model version: bin edges,
/// reference bin counts and a sorted sample for KS. Immutable once built.
/// </summary>
/// <remarks>
/// A continuous column's bins are at the reference deciles and it is tested with KS. A categorical column
/// (declared, or with few distinct reference values) has one bin per category and is tested with a
/// chi-square test over its categories plus an "unseen" bucket. Its recording edges are each category c
/// and the next double above it, so category i is recording bin 2i + 1 and every even bin holds values
/// between categories (unseen); the recording path is the same bin lookup either way, and
/// <see cref="Fold"/> adds the even bins into the unseen bucket.
/// </remarks>
internal sealed class ReferenceColumn
{
    /// <summary>Live values per test bin needed for a verdict (the usual chi-square rule of thumb).</summary>
    public const int ValuesPerBin = 5;

    private readonly double[] _edges;

    internal ReferenceColumn(
        string name, DriftColumnKind kind, int index, double[] edges, long[] counts, long missingCount, float[] sortedSample,
        double[]? categories = null)
    {
        Name = name;
        Kind = kind;
        Index = index;
        _edges = edges;
        Categories = categories is null ? [] : ImmutableCollectionsMarshal.AsImmutableArray(categories);
        IsCategorical = categories is not null;
        ReferenceCounts = ImmutableCollectionsMarshal.AsImmutableArray(counts);
        MissingCount = missingCount;
        SortedSample = ImmutableCollectionsMarshal.AsImmutableArray(sortedSample);
        long[] test = Fold(counts);
        TestReferenceCounts = ImmutableCollectionsMarshal.AsImmutableArray(test);
        var proportions = new double[test.Length];
        PopulationStabilityIndex.Proportions(test, proportions);
        ReferenceProportions = ImmutableCollectionsMarshal.AsImmutableArray(proportions);
        ValidCount = PopulationStabilityIndex.Total(counts);
    }

    /// <summary>The column name (the input or output name in the model metadata).</summary>
    public string Name { get; }

    /// <summary>Feature or output.</summary>
    public DriftColumnKind Kind { get; }

    /// <summary>The position of the column in <see cref="ReferenceProfile.Columns"/>: features first, then outputs.</summary>
    public int Index { get; }

    /// <summary>True for a categorical column (chi-square over categories), false for a continuous one (decile PSI and KS).</summary>
    public bool IsCategorical { get; }

    /// <summary>A categorical column's categories, ascending; empty for a continuous column.</summary>
    public ImmutableArray<double> Categories { get; }

    /// <summary>The strictly increasing interior recording edges (deciles, or the categories and their successors).</summary>
    public ReadOnlySpan<double> Edges => _edges;

    /// <summary>The edges to show: the deciles, or for a categorical column its categories.</summary>
    public ImmutableArray<double> DisplayEdges => IsCategorical ? Categories : ImmutableArray.Create(_edges);

    /// <summary>The number of recording bins, edges + 1.</summary>
    public int BinCount => _edges.Length + 1;

    /// <summary>The number of bins PSI and the tests compare: <see cref="BinCount"/>, or categories + 1 (unseen).</summary>
    public int TestBinCount => IsCategorical ? Categories.Length + 1 : BinCount;

    /// <summary>Fewest live values for a verdict: <see cref="ValuesPerBin"/> per test bin (50 for deciles).</summary>
    public int MinimumSample => ValuesPerBin * TestBinCount;

    /// <summary>Reference values per recording bin.</summary>
    public ImmutableArray<long> ReferenceCounts { get; }

    /// <summary>Reference values per test bin (see <see cref="Fold"/>).</summary>
    public ImmutableArray<long> TestReferenceCounts { get; }

    /// <summary>Reference proportions per test bin (raw, before the PSI epsilon floor).</summary>
    public ImmutableArray<double> ReferenceProportions { get; }

    /// <summary>Reference values that were finite.</summary>
    public long ValidCount { get; }

    /// <summary>Reference values that were missing (NaN or infinite; excluded from bins and KS).</summary>
    public long MissingCount { get; }

    /// <summary>The reference's missing rate: missing / (valid + missing).</summary>
    public double MissingRate => ValidCount + MissingCount == 0 ? 0.0 : (double)MissingCount / (ValidCount + MissingCount);

    /// <summary>The reference sample for KS, ascending, finite values only (possibly a systematic subsample).</summary>
    public ImmutableArray<float> SortedSample { get; }

    /// <summary>True when the reference had no valid value: every verdict for this column is insufficient data.</summary>
    public bool IsEmpty => ValidCount == 0;

    /// <summary>The recording bin of a finite value. Hot path.</summary>
    public int BinOf(float value) => BinEdges.IndexOf(_edges, value);

    /// <summary>
    /// Recording bin counts to test bin counts: a copy for a continuous column; for a categorical one, the
    /// count of each category followed by the unseen bucket (all values between or beyond categories).
    /// </summary>
    public long[] Fold(ReadOnlySpan<long> binCounts)
    {
        if (!IsCategorical)
        {
            return binCounts.ToArray();
        }

        int categories = Categories.Length;
        var folded = new long[categories + 1];
        for (int b = 0; b < binCounts.Length; b++)
        {
            if ((b & 1) == 1)
            {
                folded[b >> 1] = binCounts[b];
            }
            else
            {
                folded[categories] += binCounts[b];
            }
        }

        return folded;
    }
}
