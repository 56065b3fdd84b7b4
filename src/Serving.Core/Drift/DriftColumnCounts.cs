using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// What one closed window saw of one column, as plain values so replicas can ship it (e.g. to Redis)
/// and add it up: bin counts over the frozen reference bins, NaN count, and the KS sample values.
/// </summary>
/// <param name="BinCounts">Live values per reference bin.</param>
/// <param name="MissingCount">Live values that were missing (NaN or ±∞).</param>
/// <param name="Samples">KS sample values in arrival order, finite values only.</param>
internal sealed record DriftColumnCounts(ImmutableArray<long> BinCounts, long MissingCount, ImmutableArray<float> Samples)
{
    /// <summary>Live values that landed in a bin (all non-NaN values).</summary>
    public long ValidCount => PopulationStabilityIndex.Total(BinCounts.AsSpan());

    /// <summary>Adds another replica's counts for the same column: counts add, samples concatenate.</summary>
    /// <exception cref="ArgumentException">The bin layouts differ.</exception>
    public DriftColumnCounts Merge(DriftColumnCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.BinCounts.Length != BinCounts.Length)
        {
            throw new ArgumentException("Cannot merge counts over different bins.", nameof(other));
        }

        var bins = new long[BinCounts.Length];
        for (int i = 0; i < bins.Length; i++)
        {
            bins[i] = BinCounts[i] + other.BinCounts[i];
        }

        return new DriftColumnCounts(
            ImmutableArray.Create(bins), MissingCount + other.MissingCount, Samples.AddRange(other.Samples));
    }
}
