namespace Serving.Core.Drift;

/// <summary>
/// The survival function of the one-sided one-sample KS statistic D+_n, <c>scipy.special.smirnov(n, x)</c>,
/// by the Smirnov / Birnbaum–Tingey sum
/// P(D+_n &gt; x) = x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
/// with SciPy's special cases at the ends of the range. Terms are summed in log space, which keeps about
/// 1e-12 relative accuracy where SciPy uses double-double arithmetic; the tests hold it to SciPy at 1e-4.
/// </summary>
internal static class SmirnovDistribution
{
    // cephes MINLOG = log(2^-1022): below it the survival probability underflows.
    private const double MinLog = -7.08396418532264106224E2;
    private const int MaxComputeN = 1_000_000;

    // C's DBL_EPSILON (not .NET's double.Epsilon, the smallest subnormal).
    private const double DoubleEpsilon = 2.220446049250313e-16;

    /// <summary>P(D+_n &gt; x).</summary>
    /// <param name="n">The sample size, at least 1.</param>
    /// <param name="x">The statistic, in [0, 1].</param>
    /// <returns>The survival probability, or NaN outside the domain.</returns>
    public static double Survival(int n, double x)
    {
        if (!(n > 0 && x >= 0.0 && x <= 1.0))
        {
            return double.NaN;
        }

        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        (long nxFloor, double alpha) = FloorAndFraction(n, x);
        long lastTerm = n - nxFloor - (alpha == 0 ? 0 : 1);
        if (alpha == 0)
        {
            lastTerm -= 1;
        }

        if (nxFloor == 0 || (nxFloor == 1 && alpha == 0))
        {
            // x <= 1/n: P(D+ <= x) = x (1 + x)^(n-1).
            return Math.Clamp(1 - (x * Math.Pow(1 + x, n - 1)), 0.0, 1.0);
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0.0;
        }

        if (nxFloor >= n - 1)
        {
            return Math.Clamp(Math.Pow(1 - x, n), 0.0, 1.0);
        }

        if (n > MaxComputeN)
        {
            double logp = -Math.Pow((6.0 * n * x) + 1.0, 2) / 18.0 / n;
            return Math.Clamp(Math.Exp(logp), 0.0, 1.0);
        }

        return Math.Clamp(LowerSum(n, x, lastTerm + 1), 0.0, 1.0);
    }

    private static double LowerSum(int n, double x, long termCount)
    {
        double logX = Math.Log(x);
        double logBinomial = 0.0;
        double sum = 0.0;
        for (long v = 0; v < termCount; v++)
        {
            double up = x + ((double)v / n);
            double down = ((double)(n - v) / n) - x;
            if (down > 0.0)
            {
                double logTerm = logX + logBinomial + ((v - 1) * Math.Log(up)) + ((n - v) * Math.Log(down));
                double term = Math.Exp(logTerm);
                sum += term;

                // Terms fall off fast past the mode; stop when the rest cannot change the sum (SciPy's rule).
                if (term != 0.0 && 4.0 * (termCount - v) * term < DoubleEpsilon * sum && v != termCount - 1)
                {
                    break;
                }
            }

            logBinomial += Math.Log((double)(n - v) / (v + 1));
        }

        return sum;
    }

    /// <summary>⌊n·x⌋ and the fractional part of n·x, computed from the exact product (FMA).</summary>
    private static (long Floor, double Fraction) FloorAndFraction(int n, double x)
    {
        double product = n * x;
        double error = Math.FusedMultiplyAdd(n, x, -product);
        double floor = Math.Floor(product);
        double fraction = (product - floor) + error;
        if (fraction < 0)
        {
            floor -= 1;
            fraction += 1;
        }

        if (fraction >= 1)
        {
            floor += 1;
            fraction -= 1;
        }

        return ((long)floor, fraction);
    }
}
