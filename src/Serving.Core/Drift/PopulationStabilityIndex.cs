namespace Serving.Core.Drift;

/// <summary>
/// The population stability index over frozen bins:
/// PSI = Σ (live% − ref%) · ln(live% / ref%), with both proportions floored at <see cref="Epsilon"/>.
/// </summary>
internal static class PopulationStabilityIndex
{
    /// <summary>
    /// The floor applied to every bin proportion (reference and live) before the sum, so an empty bin
    /// contributes a large but finite term. Proportions are not renormalised after flooring.
    /// One empty live bin against a 10% reference bin contributes (1e-4 − 0.1)·ln(1e-3) ≈ 0.69.
    /// </summary>
    public const double Epsilon = 1e-4;

    /// <summary>Computes PSI from the bin counts of the reference and of the live window.</summary>
    /// <param name="referenceCounts">Reference counts per bin.</param>
    /// <param name="liveCounts">Live counts per bin; same length as <paramref name="referenceCounts"/>.</param>
    /// <returns>The PSI (≥ 0), or NaN when either side has no values.</returns>
    /// <exception cref="ArgumentException">The two spans have different lengths.</exception>
    public static double Compute(ReadOnlySpan<long> referenceCounts, ReadOnlySpan<long> liveCounts)
    {
        if (referenceCounts.Length != liveCounts.Length)
        {
            throw new ArgumentException("Reference and live counts must have the same number of bins.");
        }

        long referenceTotal = Total(referenceCounts);
        long liveTotal = Total(liveCounts);
        if (referenceTotal == 0 || liveTotal == 0)
        {
            return double.NaN;
        }

        double psi = 0.0;
        for (int i = 0; i < referenceCounts.Length; i++)
        {
            double reference = Math.Max((double)referenceCounts[i] / referenceTotal, Epsilon);
            double live = Math.Max((double)liveCounts[i] / liveTotal, Epsilon);
            psi += (live - reference) * Math.Log(live / reference);
        }

        return psi;
    }

    /// <summary>Writes count / total for each bin (the raw proportions, not floored); zeros when total is 0.</summary>
    public static void Proportions(ReadOnlySpan<long> counts, Span<double> proportions)
    {
        if (proportions.Length != counts.Length)
        {
            throw new ArgumentException("The destination must have one entry per bin.", nameof(proportions));
        }

        long total = Total(counts);
        for (int i = 0; i < counts.Length; i++)
        {
            proportions[i] = total == 0 ? 0.0 : (double)counts[i] / total;
        }
    }

    /// <summary>The sum of the counts.</summary>
    public static long Total(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        return total;
    }
}
