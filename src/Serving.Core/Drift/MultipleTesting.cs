namespace Serving.Core.Drift;

/// <summary>Adjusts the per-column KS p-values of one model for testing all its columns at once.</summary>
internal static class MultipleTesting
{
    /// <summary>
    /// Writes adjusted p-values. NaN entries (columns that were not tested) stay NaN and do not count
    /// towards the number of tests m.
    /// </summary>
    /// <param name="pValues">Raw p-values, NaN for "not tested".</param>
    /// <param name="adjusted">Destination, same length; may not overlap <paramref name="pValues"/>.</param>
    /// <param name="correction">Bonferroni: min(1, m·p). Benjamini–Hochberg: for the i-th smallest of m
    /// p-values, min over j ≥ i of p_(j)·m/j, clipped to 1 (the same values as
    /// <c>scipy.stats.false_discovery_control(p, method='bh')</c>). None: p unchanged.</param>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static void Adjust(ReadOnlySpan<double> pValues, Span<double> adjusted, MultipleTestingCorrection correction)
    {
        if (pValues.Length != adjusted.Length)
        {
            throw new ArgumentException("The destination must have one entry per p-value.", nameof(adjusted));
        }

        int m = 0;
        foreach (double p in pValues)
        {
            if (!double.IsNaN(p))
            {
                m++;
            }
        }

        switch (correction)
        {
            case MultipleTestingCorrection.None:
                pValues.CopyTo(adjusted);
                break;
            case MultipleTestingCorrection.Bonferroni:
                for (int i = 0; i < pValues.Length; i++)
                {
                    adjusted[i] = double.IsNaN(pValues[i]) ? double.NaN : Math.Min(pValues[i] * m, 1.0);
                }

                break;
            case MultipleTestingCorrection.BenjaminiHochberg:
                BenjaminiHochberg(pValues, adjusted, m);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(correction), correction, "Unknown correction.");
        }
    }

    private static void BenjaminiHochberg(ReadOnlySpan<double> pValues, Span<double> adjusted, int m)
    {
        adjusted.Fill(double.NaN);
        if (m == 0)
        {
            return;
        }

        var order = new int[m];
        var sorted = new double[m];
        int k = 0;
        for (int i = 0; i < pValues.Length; i++)
        {
            if (!double.IsNaN(pValues[i]))
            {
                order[k] = i;
                sorted[k] = pValues[i];
                k++;
            }
        }

        // Order among equal p-values does not matter: the running minimum gives them equal adjusted values.
        Array.Sort(sorted, order);
        double running = double.PositiveInfinity;
        for (int rank = m; rank >= 1; rank--)
        {
            double value = sorted[rank - 1] * m / rank;
            running = Math.Min(running, value);
            adjusted[order[rank - 1]] = Math.Clamp(running, 0.0, 1.0);
        }
    }
}
