namespace Serving.Core.Drift;

/// <summary>
/// The chi-square distribution's upper tail, through the regularized upper incomplete gamma function
/// Q(k/2, x/2) (series below a + 1, Lentz's continued fraction above, as in Numerical Recipes §6.2).
/// Matches <c>scipy.stats.chi2.sf</c> to about 1e-12 relative (fixture test).
/// </summary>
internal static class ChiSquareDistribution
{
    private const int MaxIterations = 10_000;
    private const double Tolerance = 1e-16;

    /// <summary>P(X ≥ x) for X ~ χ²(degreesOfFreedom); 1 for x ≤ 0, NaN for a NaN x or dof below 1.</summary>
    public static double Survival(double x, int degreesOfFreedom)
    {
        if (double.IsNaN(x) || degreesOfFreedom < 1)
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 1.0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0.0;
        }

        return UpperRegularizedGamma(degreesOfFreedom / 2.0, x / 2.0);
    }

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a), for a &gt; 0 and x &gt; 0.</summary>
    internal static double UpperRegularizedGamma(double a, double x)
    {
        double logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            // Series for P(a, x); Q = 1 − P.
            double term = 1.0 / a;
            double sum = term;
            for (int n = 1; n < MaxIterations; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * Tolerance)
                {
                    break;
                }
            }

            return 1.0 - (sum * Math.Exp(logPrefix));
        }

        // Continued fraction for Q(a, x), modified Lentz.
        const double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MaxIterations; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Tolerance)
            {
                break;
            }
        }

        return Math.Exp(logPrefix) * h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; about 1e-15 relative).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> coefficients =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7,
        ];
        x -= 1;
        double sum = coefficients[0];
        for (int i = 1; i < coefficients.Length; i++)
        {
            sum += coefficients[i] / (x + i);
        }

        double t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
