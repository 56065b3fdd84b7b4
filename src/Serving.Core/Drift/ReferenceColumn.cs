using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Serving.Core.Drift;

/// <summary>
/// The frozen reference of one column (a feature or an output) of one model version: PSI bin edges,
/// reference bin counts and a sorted sample for KS. Immutable once built.
/// </summary>
internal sealed class ReferenceColumn
{
    private readonly double[] _edges;

    internal ReferenceColumn(
        string name, DriftColumnKind kind, int index, double[] edges, long[] counts, long missingCount, float[] sortedSample)
    {
        Name = name;
        Kind = kind;
        Index = index;
        _edges = edges;
        ReferenceCounts = ImmutableCollectionsMarshal.AsImmutableArray(counts);
        MissingCount = missingCount;
        SortedSample = ImmutableCollectionsMarshal.AsImmutableArray(sortedSample);
        long total = PopulationStabilityIndex.Total(counts);
        var proportions = new double[counts.Length];
        PopulationStabilityIndex.Proportions(counts, proportions);
        ReferenceProportions = ImmutableCollectionsMarshal.AsImmutableArray(proportions);
        ValidCount = total;
    }

    /// <summary>The column name (the input or output name in the model metadata).</summary>
    public string Name { get; }

    /// <summary>Feature or output.</summary>
    public DriftColumnKind Kind { get; }

    /// <summary>The position of the column in <see cref="ReferenceProfile.Columns"/>: features first, then outputs.</summary>
    public int Index { get; }

    /// <summary>The strictly increasing interior bin edges (at most BinCount − 1; fewer when ties collapsed them).</summary>
    public ReadOnlySpan<double> Edges => _edges;

    /// <summary>The number of bins, edges + 1.</summary>
    public int BinCount => _edges.Length + 1;

    /// <summary>Reference values per bin.</summary>
    public ImmutableArray<long> ReferenceCounts { get; }

    /// <summary>Reference proportions per bin (raw, before the PSI epsilon floor).</summary>
    public ImmutableArray<double> ReferenceProportions { get; }

    /// <summary>Reference values that were not NaN.</summary>
    public long ValidCount { get; }

    /// <summary>Reference values that were NaN (excluded from bins and KS).</summary>
    public long MissingCount { get; }

    /// <summary>The reference sample for KS, ascending, without NaN (possibly a systematic subsample).</summary>
    public ImmutableArray<float> SortedSample { get; }

    /// <summary>True when the reference had no valid value: every verdict for this column is insufficient data.</summary>
    public bool IsEmpty => ValidCount == 0;

    /// <summary>The bin of a (non-NaN) value. Hot path.</summary>
    public int BinOf(float value) => BinEdges.IndexOf(_edges, value);
}
