namespace Serving.Core.Drift;

/// <summary>
/// PSI bin edges at reference quantiles, and the bin lookup used on the recording path.
/// Bins are (−∞, e₁), [e₁, e₂), …, [e_k, +∞): the bin of x is the number of edges ≤ x
/// (<c>numpy.searchsorted(edges, x, side='right')</c>).
/// </summary>
internal static class BinEdges
{
    /// <summary>
    /// The distinct interior quantiles i/binCount, i = 1..binCount−1, of a sorted sample, using
    /// numpy's default 'linear' method (R type 7): value at virtual index (n − 1)·q, linearly
    /// interpolated. Duplicate edges (ties, constant features) collapse, so a column may have fewer
    /// than binCount bins; a constant column has one edge and two bins.
    /// </summary>
    /// <param name="sorted">The reference values, ascending, without NaN; not empty.</param>
    /// <param name="binCount">The number of bins before collapsing (10 for deciles).</param>
    /// <returns>Strictly increasing edges.</returns>
    /// <exception cref="ArgumentException">The sample is empty or binCount is below 2.</exception>
    public static double[] FromQuantiles(ReadOnlySpan<double> sorted, int binCount)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("Quantiles of an empty sample are undefined.", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 2);

        var edges = new double[binCount - 1];
        int count = 0;
        for (int i = 1; i < binCount; i++)
        {
            double edge = Quantile(sorted, (double)i / binCount);
            if (count == 0 || edge != edges[count - 1])
            {
                edges[count++] = edge;
            }
        }

        return edges.AsSpan(0, count).ToArray();
    }

    /// <summary>
    /// Recording edges of a categorical column: each category c followed by the next double above it, so
    /// that category i has bin 2i + 1 to itself and every even bin collects values between categories.
    /// </summary>
    /// <param name="categories">The distinct categories, ascending (values of floats, so no two are adjacent doubles).</param>
    public static double[] FromCategories(ReadOnlySpan<double> categories)
    {
        var edges = new double[categories.Length * 2];
        for (int i = 0; i < categories.Length; i++)
        {
            edges[2 * i] = categories[i];
            edges[(2 * i) + 1] = Math.BitIncrement(categories[i]);
        }

        return edges;
    }

    /// <summary>numpy.quantile(sorted, q, method='linear'), including its two-sided interpolation.</summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        int n = sorted.Length;
        double virtualIndex = (n - 1) * q;
        if (virtualIndex >= n - 1)
        {
            return sorted[n - 1];
        }

        if (virtualIndex <= 0)
        {
            return sorted[0];
        }

        double previous = Math.Floor(virtualIndex);
        int below = (int)previous;
        double gamma = virtualIndex - previous;
        double a = sorted[below];
        double b = sorted[below + 1];
        double diff = b - a;

        // numpy interpolates from the nearer end, which keeps the result monotone in q.
        return gamma >= 0.5 ? b - (diff * (1 - gamma)) : a + (diff * gamma);
    }

    /// <summary>The bin of <paramref name="value"/>: the number of edges ≤ value. NaN is not allowed.</summary>
    /// <remarks>
    /// Hot path, no allocation. Up to <see cref="LinearSearchLimit"/> edges (deciles have 9) it counts with
    /// a branch-free scan instead of bisecting, whose branches are unpredictable on live data.
    /// </remarks>
    public static int IndexOf(ReadOnlySpan<double> edges, double value)
    {
        // Measured with an ad-hoc Stopwatch loop (Release, 9 edges, uniform random values, loaded 2-core VM):
        // about 8 ns per lookup for this scan against 25 ns for the binary search below.
        if (edges.Length <= LinearSearchLimit)
        {
            int count = 0;
            foreach (double edge in edges)
            {
                count += edge <= value ? 1 : 0;
            }

            return count;
        }

        int lo = 0;
        int hi = edges.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (edges[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Edge counts up to which <see cref="IndexOf"/> scans instead of bisecting.</summary>
    internal const int LinearSearchLimit = 16;
}
