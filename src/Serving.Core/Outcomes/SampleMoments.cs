namespace Serving.Core.Outcomes;

/// <summary>
/// Count, mean and unbiased variance of a sample, accumulated one value at a time with Welford's
/// update (Welford 1962, "Note on a method for calculating corrected sums of squares and products"),
/// which stays accurate where the textbook Σx² − n·x̄² cancels. The summary of a metric per experiment
/// arm, and the mean of per-observation losses behind log loss, Brier score, accuracy and MAE.
/// Not thread-safe.
/// </summary>
internal sealed class SampleMoments
{
    private double _sumOfSquaredDeviations;

    /// <summary>The number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>The sample mean; NaN when empty.</summary>
    public double Mean { get; private set; } = double.NaN;

    /// <summary>The unbiased sample variance Σ(x − x̄)² / (n − 1); NaN with fewer than two values.</summary>
    public double Variance => Count < 2 ? double.NaN : _sumOfSquaredDeviations / (Count - 1);

    /// <summary>The standard error of the mean, √(Variance / n); NaN with fewer than two values.</summary>
    public double StandardError => Math.Sqrt(Variance / Count);

    /// <summary>The mean with its 95 % normal-approximation interval (central limit theorem).</summary>
    public IntervalEstimate MeanInterval => IntervalEstimate.Normal(Mean, StandardError);

    /// <summary>Adds one value.</summary>
    public void Add(double value)
    {
        Count++;
        if (Count == 1)
        {
            Mean = value;
            return;
        }

        double delta = value - Mean;
        Mean += delta / Count;
        _sumOfSquaredDeviations += delta * (value - Mean);
    }

    /// <summary>
    /// A summary from running sums (n, Σx, Σx²), as a shared store that only adds can keep them (a Redis hash
    /// incremented by every replica). Σx² − (Σx)²/n cancels when the mean is large against the spread; the
    /// metrics experiments compare (losses, rates, errors, business values per prediction) keep this well
    /// within double precision. A negative rounding residue is taken as 0.
    /// </summary>
    public static SampleMoments FromSums(long count, double sum, double sumOfSquares)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var moments = new SampleMoments();
        if (count == 0)
        {
            return moments;
        }

        moments.Count = count;
        moments.Mean = sum / count;
        moments._sumOfSquaredDeviations = Math.Max(0.0, sumOfSquares - (sum * moments.Mean));
        return moments;
    }

    /// <summary>A summary of the given values.</summary>
    public static SampleMoments Of(ReadOnlySpan<double> values)
    {
        var moments = new SampleMoments();
        foreach (double value in values)
        {
            moments.Add(value);
        }

        return moments;
    }
}
