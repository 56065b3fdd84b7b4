using System.Collections.Immutable;

namespace Serving.Core.Rollouts;

/// <summary>
/// A latency histogram in Prometheus form, for cohorts whose latency comes from metrics (or merged across
/// replicas) rather than a sample: <see cref="Counts"/>[i] observations in (UpperBounds[i−1], UpperBounds[i]],
/// and the last count above the last bound (+Inf). Counts are per bucket, not cumulative.
/// </summary>
internal sealed record LatencyHistogram
{
    /// <summary>Bucket upper bounds in seconds, strictly increasing, positive.</summary>
    public required ImmutableArray<double> UpperBounds { get; init; }

    /// <summary>Observations per bucket; one more entry than <see cref="UpperBounds"/> (the +Inf bucket).</summary>
    public required ImmutableArray<long> Counts { get; init; }

    /// <summary>The number of observations.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (long count in Counts)
            {
                total += count;
            }

            return total;
        }
    }

    /// <summary>
    /// The q-quantile the way Prometheus' <c>histogram_quantile</c> estimates it: find the bucket holding
    /// rank q·total and interpolate linearly inside it (the first bucket starts at 0); a rank in the +Inf
    /// bucket returns the last finite bound. NaN when empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    /// <exception cref="InvalidOperationException">The histogram's shape is invalid.</exception>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        if (Counts.Length != UpperBounds.Length + 1 || UpperBounds.IsEmpty)
        {
            throw new InvalidOperationException("A histogram needs at least one bound and one count more than bounds.");
        }

        long total = Total;
        if (total == 0)
        {
            return double.NaN;
        }

        double rank = q * total;
        long below = 0;
        for (int i = 0; i < UpperBounds.Length; i++)
        {
            long count = Counts[i];
            if (count > 0 && below + count >= rank)
            {
                double lower = i == 0 ? 0.0 : UpperBounds[i - 1];
                double upper = UpperBounds[i];
                return lower + ((upper - lower) * (rank - below) / count);
            }

            below += count;
        }

        return UpperBounds[^1];
    }

    /// <summary>The bucket-wise sum of two histograms with the same bounds.</summary>
    /// <exception cref="ArgumentException">The bounds differ.</exception>
    public LatencyHistogram Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!UpperBounds.AsSpan().SequenceEqual(other.UpperBounds.AsSpan()) || Counts.Length != other.Counts.Length)
        {
            throw new ArgumentException("Histograms with different bucket bounds cannot be added.", nameof(other));
        }

        var counts = new long[Counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = Counts[i] + other.Counts[i];
        }

        return this with { Counts = [.. counts] };
    }
}
