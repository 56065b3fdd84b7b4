namespace Serving.Core.Drift;

/// <summary>
/// The survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, i.e. SciPy's
/// <c>scipy.stats.kstwo.sf(x, n)</c> (Simard and L'Ecuyer 2011, as implemented in SciPy 1.10's
/// <c>_ksstats._kolmogn</c>): the same algorithm in each region of (n, x), with the same cut-offs, so
/// p-values agree with SciPy to far better than 1e-4 relative.
/// </summary>
internal static partial class KolmogorovDistribution
{
    private const double LogTwoPi = 1.8378770664093453;

    // Stirling series coefficients B_{2j}/(2j)/(2j-1), j = 8..1 (highest power first).
    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>P(D_n &gt; x) for a sample of size <paramref name="n"/>.</summary>
    /// <param name="n">The sample size: a positive integer value (NaN otherwise).</param>
    /// <param name="x">The statistic.</param>
    /// <returns>The survival probability in [0, 1], or NaN for an invalid n or NaN x.</returns>
    public static double Survival(double n, double x)
    {
        if (double.IsNaN(n) || double.IsNaN(x) || n < 1 || n != Math.Floor(n) || n > int.MaxValue)
        {
            return double.NaN;
        }

        // SciPy's distribution support is [0.5/n, 1]: at or past either end the answer is exact.
        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.5 / n)
        {
            return 1.0;
        }

        return SurvivalCore((int)n, x);
    }

    private static double SurvivalCore(int n, double x)
    {
        double t = n * x;
        if (t <= 1.0)
        {
            // Ruben–Gambino: P(D_n <= x) = n!/n^n (2t - 1)^n for 1/(2n) <= x <= 1/n.
            if (t <= 0.5)
            {
                return 1.0;
            }

            double cdf;
            if (n <= 140)
            {
                cdf = 1.0;
                double step = 1.0 / n;
                for (int i = 1; i <= n; i++)
                {
                    cdf *= i * step * ((2 * t) - 1);
                }
            }
            else
            {
                cdf = Math.Exp(LogFactorialOverPower(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - cdf);
        }

        if (t >= n - 1)
        {
            // Ruben–Gambino upper end.
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            // The two one-sided tails cannot overlap: exactly twice the Smirnov tail.
            return Clip(2 * SmirnovDistribution.Survival(n, x));
        }

        double nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return Clip(1.0 - Clip(DurbinCdf(n, x)));
            }

            if (nxSquared <= 4)
            {
                return Clip(1.0 - Clip(PomeranzCdf(n, x)));
            }

            return Clip(2 * SmirnovDistribution.Survival(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * SmirnovDistribution.Survival(n, x));
        }

        double cdfLarge = n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4
            ? DurbinCdf(n, x)
            : PelzGoodCdf(n, x);
        return Clip(1.0 - cdfLarge);
    }

    /// <summary>log(n!/n^n) by Stirling's series with n·log(n) removed up front (no cancellation).</summary>
    private static double LogFactorialOverPower(int n)
    {
        double rn = 1.0 / n;
        double series = 0.0;
        double z = rn / n;
        foreach (double c in StirlingCoefficients)
        {
            series = (series * z) + c;
        }

        return (Math.Log(n) / 2) - n + (LogTwoPi / 2) + (rn * series);
    }

    private static double Clip(double p) => double.IsNaN(p) ? p : Math.Clamp(p, 0.0, 1.0);
}
