namespace Serving.Core.Drift;

/// <summary>
/// Pearson's chi-square test of homogeneity of two count vectors over the same categories (a 2 × k
/// contingency table), as <c>scipy.stats.chi2_contingency(table, correction=False)</c>: categories
/// empty on both sides are left out; degrees of freedom = categories − 1; no Yates correction.
/// </summary>
internal static class ChiSquareTest
{
    /// <summary>Tests whether <paramref name="a"/> and <paramref name="b"/> come from the same distribution.</summary>
    /// <returns>The statistic, its degrees of freedom and p-value; NaN when either side is empty, p = 1 with one category.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static (double Statistic, int DegreesOfFreedom, double PValue) Homogeneity(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Both sides need the same categories.");
        }

        double totalA = PopulationStabilityIndex.Total(a);
        double totalB = PopulationStabilityIndex.Total(b);
        if (totalA == 0 || totalB == 0)
        {
            return (double.NaN, 0, double.NaN);
        }

        double total = totalA + totalB;
        double statistic = 0;
        int categories = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double column = a[i] + b[i];
            if (column == 0)
            {
                continue;
            }

            categories++;
            double expectedA = totalA * column / total;
            double expectedB = totalB * column / total;
            double da = a[i] - expectedA;
            double db = b[i] - expectedB;
            statistic += (da * da / expectedA) + (db * db / expectedB);
        }

        int dof = categories - 1;
        return dof < 1 ? (0.0, 0, 1.0) : (statistic, dof, ChiSquareDistribution.Survival(statistic, dof));
    }
}
