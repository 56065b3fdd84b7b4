namespace Serving.Core.Drift;

/// <summary>
/// The exact null distribution of the two-sided two-sample KS statistic, by counting lattice paths
/// (Hodges 1958, after Drion, Gnedenko and Korolyuk), with the 1 − p recursion of Viehmann (2021,
/// arXiv:2102.08037) for unequal sizes: the same algorithms, in the same floating-point order, as SciPy's
/// <c>_compute_prob_outside_square</c> and <c>_compute_outer_prob_inside_method</c>.
/// </summary>
internal static class KolmogorovSmirnovExact
{
    /// <summary>
    /// P(D ≥ d) under the null for sample sizes <paramref name="n1"/> and <paramref name="n2"/>.
    /// </summary>
    /// <param name="n1">The first sample size.</param>
    /// <param name="n2">The second sample size.</param>
    /// <param name="d">The observed statistic.</param>
    /// <param name="rounded">d snapped to the lattice, <c>h / lcm(n1, n2)</c>.</param>
    /// <param name="pValue">The exact p-value when the computation succeeded.</param>
    /// <returns>False when the computation did not give a finite probability in [0, 1]; the caller then
    /// falls back to the asymptotic distribution, as SciPy does.</returns>
    public static bool TryPValue(int n1, int n2, double d, out double rounded, out double pValue)
    {
        long g = GreatestCommonDivisor(n1, n2);
        long lcm = n1 / g * n2;
        long h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        rounded = h * 1.0 / lcm;
        if (h == 0)
        {
            pValue = 1.0;
            return true;
        }

        pValue = n1 == n2
            ? ProbabilityOutsideSquare(n1, h)
            : ProbabilityOutsideInside(n1, n2, g, h);
        return double.IsFinite(pValue) && pValue >= 0.0 && pValue <= 1.0;
    }

    /// <summary>
    /// P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^k C(2n, n−kh)/C(2n, n), evaluated Horner-style on ratios so the
    /// alternating sum does not cancel.
    /// </summary>
    internal static double ProbabilityOutsideSquare(long n, long h)
    {
        double p = 0.0;
        long k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            double p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>
    /// The proportion of monotone lattice paths from (0, 0) to (m, n) that leave the band
    /// |x/m − y/n| &lt; h/lcm(m, n), carried directly as 1 − p column by column over a sliding window.
    /// </summary>
    internal static double ProbabilityOutsideInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        long mg = m / g;
        long ng = n / g;
        long minj = 0;
        long maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        long curlen = maxj - minj;
        long lenA = Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        Array.Clear(a, (int)minj, (int)(maxj - minj));
        for (long i = 1; i <= m; i++)
        {
            long lastminj = minj;
            long lastlen = curlen;
            minj = Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            double val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                long j = jj + minj;
                val = ((a[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            long carried = Math.Min(lastlen - curlen, lenA - curlen);
            if (carried > 0)
            {
                // Entries that slid out of the band on the low side are paths already outside.
                Array.Fill(a, 1.0, (int)curlen, (int)carried);
            }
        }

        return a[maxj - minj - 1];
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
