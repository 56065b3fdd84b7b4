namespace Serving.Core.Drift;

internal static partial class KolmogorovDistribution
{
    private const double MinLog = -708;
    private static readonly double SqrtTwoPi = Math.Sqrt(2 * Math.PI);
    private static readonly double Sqrt3 = Math.Sqrt(3);
    private const double PiSquared = Math.PI * Math.PI;
    private static readonly double PiFour = Math.Pow(Math.PI, 4);
    private static readonly double PiSix = Math.Pow(Math.PI, 6);

    /// <summary>
    /// The Pelz–Good (1976) approximation P(D_n ≤ x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5 with
    /// z = x√n, each term summed through its Jacobi-theta form. SciPy uses it for large n away from the tails.
    /// </summary>
    internal static double PelzGoodCdf(int n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        double z = Math.Sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;

        double qlog = -PiSquared / 8 / z2;
        if (qlog < MinLog)
        {
            return 0.0;
        }

        double q = Math.Exp(qlog);

        double k1a = -z2;
        double k1b = PiSquared / 4;
        double k2a = (6 * z6) + (2 * z4);
        double k2b = ((2 * z4) - (5 * z2)) * PiSquared / 4;
        double k2c = PiFour * (1 - (2 * z2)) / 16;
        double k3d = PiSix * (5 - (30 * z2)) / 64;
        double k3c = PiFour * ((-60 * z2) + (212 * z4)) / 16;
        double k3b = PiSquared * ((135 * z4) - (96 * z6)) / 4;
        double k3a = (-30 * z6) - (90 * Math.Pow(z, 8));

        // Horner over odd integers m = 2k - 1 of sum c_m q^(m^2).
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (int k = maxk; k > 0; k--)
        {
            double m = (2 * k) - 1;
            double m2 = m * m;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qPower = Math.Pow(q, 8 * k);
            s0 = (s0 * qPower) + 1.0;
            s1 = (s1 * qPower) + (k1a + (k1b * m2));
            s2 = (s2 * qPower) + (k2a + (k2b * m2) + (k2c * m4));
            s3 = (s3 * qPower) + (k3a + (k3b * m2) + (k3c * m4) + (k3d * m6));
        }

        s0 = s0 * q * SqrtTwoPi / z;
        s1 = s1 * q * SqrtTwoPi / (6 * z4);
        s2 = s2 * q * SqrtTwoPi / (72 * Math.Pow(z, 7));
        s3 = s3 * q * SqrtTwoPi / (6480 * Math.Pow(z, 10));

        // The remaining sums over all integers k for K2 and K3.
        double q2 = Math.Exp(-PiSquared / 2 / z2);
        double sqrt3z = Sqrt3 * z;
        double k2Extra = 0;
        double k3Extra = 0;
        for (int k = maxk; k > 0; k--)
        {
            double k2 = (double)k * k;
            double qPower = Math.Pow(q2, k2);
            double kPi = Math.PI * k;
            k2Extra += k2 * qPower;
            k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qPower;
        }

        s2 += k2Extra * PiSquared * SqrtTwoPi / (-36 * z3);
        s3 += k3Extra * PiSquared * SqrtTwoPi / (216 * z6);

        double sqrtN = Math.Sqrt(n);
        return s0 + (s1 / sqrtN) + (s2 / n) + (s3 / (n * sqrtN));
    }
}
