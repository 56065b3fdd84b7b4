namespace Serving.Core.Drift;

internal static partial class KolmogorovDistribution
{
    private const int ScaleExponent = 128;
    private static readonly double ScaleUp = Math.ScaleB(1.0, ScaleExponent);
    private static readonly double ScaleDown = Math.ScaleB(1.0, -ScaleExponent);

    /// <summary>
    /// P(D_n ≤ d) by Durbin's matrix method in the form of Marsaglia, Tsang and Wang (2003): the k-th
    /// diagonal entry of n!/n^n · H^n, with H of size 2k − 1 and rescaling to avoid overflow. Costs
    /// O(k³ log n); SciPy uses it where k = ⌈n·d⌉ is small.
    /// </summary>
    internal static double DurbinCdf(int n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        double nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        int k = (int)Math.Ceiling(nd);
        double h = k - nd;
        int m = (2 * k) - 1;

        // v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1/j!; the last entry of v is special.
        var v = new double[m];
        var w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++)
        {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * fac;
        }

        double tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * fac;

        var hMatrix = new double[m * m];
        for (int i = 1; i < m; i++)
        {
            for (int r = i - 1; r < m; r++)
            {
                hMatrix[(r * m) + i] = w[r - (i - 1)];
            }
        }

        for (int r = 0; r < m; r++)
        {
            hMatrix[r * m] = v[r];
        }

        for (int c = 0; c < m; c++)
        {
            hMatrix[((m - 1) * m) + c] = v[m - 1 - c];
        }

        var power = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            power[(i * m) + i] = 1.0;
        }

        var scratch = new double[m * m];
        int exponent = 0;
        int hExponent = 0;
        int nn = n;
        while (nn > 0)
        {
            if (nn % 2 != 0)
            {
                Multiply(power, hMatrix, scratch, m);
                (power, scratch) = (scratch, power);
                exponent += hExponent;
            }

            Multiply(hMatrix, hMatrix, scratch, m);
            (hMatrix, scratch) = (scratch, hMatrix);
            hExponent *= 2;
            if (Math.Abs(hMatrix[((k - 1) * m) + (k - 1)]) > ScaleUp)
            {
                for (int i = 0; i < hMatrix.Length; i++)
                {
                    hMatrix[i] /= ScaleUp;
                }

                hExponent += ScaleExponent;
            }

            nn /= 2;
        }

        double p = power[((k - 1) * m) + (k - 1)];

        // Multiply by n!/n^n one factor at a time, rescaling to stay in range.
        for (int i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < ScaleDown)
            {
                p *= ScaleUp;
                exponent -= ScaleExponent;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, exponent);
        }

        return Clip(p);
    }

    private static void Multiply(double[] a, double[] b, double[] result, int m)
    {
        Array.Clear(result);
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < m; k++)
            {
                double aik = a[(i * m) + k];
                if (aik == 0.0)
                {
                    continue;
                }

                int bRow = k * m;
                int rRow = i * m;
                for (int j = 0; j < m; j++)
                {
                    result[rRow + j] += aik * b[bRow + j];
                }
            }
        }
    }
}
