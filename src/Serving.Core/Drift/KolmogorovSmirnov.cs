using System.Diagnostics;

namespace Serving.Core.Drift;

/// <summary>
/// The two-sided two-sample Kolmogorov–Smirnov test, computed the way
/// <c>scipy.stats.ks_2samp(x, y, alternative='two-sided', method='auto')</c> (SciPy 1.10) computes it:
/// exact when both samples have at most <see cref="MaxExactSampleSize"/> values, falling back to the
/// asymptotic distribution when the exact computation fails, and otherwise the Kolmogorov distribution
/// <c>kstwo.sf(D, round(n·m/(n+m)))</c>.
/// </summary>
internal static class KolmogorovSmirnov
{
    /// <summary>SciPy's <c>MAX_AUTO_N</c>: 'auto' tries the exact distribution when max(n, m) is at most this.</summary>
    public const int MaxExactSampleSize = 10_000;

    /// <summary>Tests whether two samples come from the same continuous distribution.</summary>
    /// <param name="sortedX">The first sample, sorted ascending, without NaN.</param>
    /// <param name="sortedY">The second sample, sorted ascending, without NaN.</param>
    /// <returns>D, the two-sided p-value, and which distribution produced it.</returns>
    /// <exception cref="ArgumentException">Either sample is empty.</exception>
    public static KolmogorovSmirnovResult TwoSample(ReadOnlySpan<float> sortedX, ReadOnlySpan<float> sortedY)
    {
        if (sortedX.IsEmpty || sortedY.IsEmpty)
        {
            throw new ArgumentException("Both samples must be non-empty.");
        }

        Debug.Assert(IsSortedWithoutNaN(sortedX) && IsSortedWithoutNaN(sortedY));

        int n1 = sortedX.Length;
        int n2 = sortedY.Length;
        double d = Statistic(sortedX, sortedY);

        if (Math.Max(n1, n2) <= MaxExactSampleSize
            && KolmogorovSmirnovExact.TryPValue(n1, n2, d, out double rounded, out double exact))
        {
            // SciPy reports the statistic snapped to the lattice, h / lcm(n1, n2).
            return new KolmogorovSmirnovResult(rounded, Math.Clamp(exact, 0.0, 1.0), KolmogorovSmirnovMethod.Exact);
        }

        double m = Math.Max(n1, n2);
        double n = Math.Min(n1, n2);
        double effective = m * n / (m + n);
        double p = KolmogorovDistribution.Survival(Math.Round(effective, MidpointRounding.ToEven), d);
        return new KolmogorovSmirnovResult(d, Math.Clamp(p, 0.0, 1.0), KolmogorovSmirnovMethod.Asymptotic);
    }

    /// <summary>
    /// D = max |F1(t) − F2(t)| over every sample value t, with both empirical CDFs right-continuous
    /// (ties counted on both sides), exactly as SciPy evaluates <c>searchsorted(side='right') / n</c>.
    /// </summary>
    internal static double Statistic(ReadOnlySpan<float> sortedX, ReadOnlySpan<float> sortedY)
    {
        int n1 = sortedX.Length;
        int n2 = sortedY.Length;
        int i = 0;
        int j = 0;
        double max = double.NegativeInfinity;
        double min = double.PositiveInfinity;
        while (i < n1 || j < n2)
        {
            float t = j >= n2 || (i < n1 && sortedX[i] <= sortedY[j]) ? sortedX[i] : sortedY[j];
            while (i < n1 && sortedX[i] <= t)
            {
                i++;
            }

            while (j < n2 && sortedY[j] <= t)
            {
                j++;
            }

            double diff = ((double)i / n1) - ((double)j / n2);
            max = Math.Max(max, diff);
            min = Math.Min(min, diff);
        }

        double minS = Math.Clamp(-min, 0.0, 1.0);
        return minS > max ? minS : max;
    }

    private static bool IsSortedWithoutNaN(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]) || (i > 0 && values[i - 1] > values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
