namespace Serving.Core.Outcomes;

/// <summary>Ranks with ties averaged ("midranks", 1-based), as scipy.stats.rankdata(method='average').</summary>
internal static class Midranks
{
    /// <summary>The midrank of every value, in the order of <paramref name="values"/>.</summary>
    public static double[] Compute(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        double[] sorted = values.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(sorted, order);
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && sorted[end] == sorted[start])
            {
                end++;
            }

            // Positions start..end-1 share the 1-based ranks start+1..end; each gets their average.
            double midrank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++)
            {
                ranks[order[k]] = midrank;
            }

            start = end;
        }

        return ranks;
    }
}
