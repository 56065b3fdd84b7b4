using System.Diagnostics;

namespace Serving.Core.Drift;

internal static partial class KolmogorovDistribution
{
    /// <summary>
    /// P(D_n ≤ x) by Pomeranz's recursion (1974): 2n + 1 rows, each the convolution of the previous row
    /// with one of three truncated Poisson weight vectors, keeping only the non-zero band of each row and
    /// rescaling to avoid underflow. SciPy uses it for n ≤ 140 and 0.754693 &lt; n·x² ≤ 4.
    /// </summary>
    internal static double PomeranzCdf(int n, double x)
    {
        double t = n * x;
        int ll = (int)Math.Floor(t);
        double f = t - ll;
        double g = Math.Min(f, 1.0 - f);
        int ceilf = f > 0 ? 1 : 0;
        int roundf = f > 0.5 ? 1 : 0;
        int npwrs = 2 * (ll + 1);

        // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities without the normalising factor.
        var gPower = new double[npwrs];
        var twoGPower = new double[npwrs];
        var oneMinusTwoGPower = new double[npwrs];
        gPower[0] = 1.0;
        twoGPower[0] = 1.0;
        oneMinusTwoGPower[0] = 1.0;
        double gOverN = g / n;
        double twoGOverN = 2 * g / n;
        double oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (int m = 1; m < npwrs; m++)
        {
            gPower[m] = gPower[m - 1] * gOverN / m;
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / m;
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0;
        int v1s = 0;
        int exponent = 0;
        (int j1, _) = PomeranzBand(0, n, ll, ceilf, roundf);
        for (int i = 1; i < (2 * n) + 2; i++)
        {
            int k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, int j2) = PomeranzBand(i, n, ll, ceilf, roundf);
            double[] powers = i == 1 || i == (2 * n) + 1
                ? gPower
                : (i % 2 != 0 ? twoGPower : oneMinusTwoGPower);
            int ln2 = j2 - k1 + 1;
            if (ln2 <= 0)
            {
                continue;
            }

            // The full convolution of v0[k1 - v0s ..][..ln2] with powers[..ln2], entries j1 - k1 onwards.
            int aStart = k1 - v0s;
            Debug.Assert(aStart >= 0 && aStart < npwrs);
            int aLength = Math.Min(ln2, npwrs - aStart);
            int bLength = Math.Min(ln2, npwrs);
            int convStart = j1 - k1;
            int convLength = j2 - j1 + 1;
            double largest = 0.0;
            for (int c = 0; c < convLength; c++)
            {
                int index = convStart + c;
                double sum = 0.0;
                int sFrom = Math.Max(0, index - bLength + 1);
                int sTo = Math.Min(index, aLength - 1);
                for (int s = sFrom; s <= sTo; s++)
                {
                    sum += v0[aStart + s] * powers[index - s];
                }

                v1[c] = sum;
                largest = Math.Max(largest, sum);
            }

            if (largest > 0 && largest < ScaleDown)
            {
                for (int c = 0; c < v1.Length; c++)
                {
                    v1[c] *= ScaleUp;
                }

                exponent -= ScaleExponent;
            }

            v1s = v0s + j1 - k1;
        }

        // Multiply by n!.
        double answer = v1[n - v1s];
        for (int m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > ScaleUp)
            {
                answer *= ScaleDown;
                exponent += ScaleExponent;
            }

            answer *= m;
        }

        if (exponent != 0)
        {
            answer = Math.ScaleB(answer, exponent);
        }

        return Clip(answer);
    }

    /// <summary>The first and last non-zero entries of row <paramref name="i"/> in Pomeranz's recursion.</summary>
    private static (int First, int Last) PomeranzBand(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1;
        int j2;
        if (i == 0)
        {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        }
        else
        {
            int half = (i + 1) / 2;
            if ((i + 1) % 2 == 0)
            {
                if (half == n + 1)
                {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                }
                else
                {
                    j1 = half - 1 - ll - roundf - 1;
                    j2 = half + ll - 1 + ceilf - 1;
                }
            }
            else
            {
                j1 = half - 1 - ll - 1;
                j2 = half + ll + roundf - 1;
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }
}
