namespace Serving.Core.Rollouts;

/// <summary>
/// Accumulates how a shadow version's outputs compare with the primary's, lock-free: mean and largest
/// absolute difference, decision flips at a threshold, agreement rate, and counters for shadow calls that
/// failed, timed out or were dropped. One per (model, shadow version); replace it to start afresh.
/// </summary>
/// <remarks>
/// A comparison is per output value: a batch request with n rows contributes n pairs. The counters are
/// updated independently, so a <see cref="Snapshot"/> taken while requests are recorded may see one
/// request's count without its values; the numbers are monitoring figures, not a ledger.
/// </remarks>
internal sealed class ShadowComparison
{
    private readonly double _threshold;
    private long _requests;
    private long _compared;
    private long _flips;
    private long _nanValues;
    private long _mismatches;
    private long _errors;
    private long _timeouts;
    private long _drops;
    private double _sumAbsoluteDifference;
    private double _maxAbsoluteDifference;

    /// <summary>Creates an empty comparison.</summary>
    /// <param name="decisionThreshold">The score at which an output counts as a positive decision.</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not finite.</exception>
    public ShadowComparison(double decisionThreshold = ShadowSettings.DefaultDecisionThreshold)
    {
        if (!double.IsFinite(decisionThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(decisionThreshold), decisionThreshold, "The decision threshold must be finite.");
        }

        _threshold = decisionThreshold;
    }

    /// <summary>The decision threshold.</summary>
    public double DecisionThreshold => _threshold;

    /// <summary>Compares one request's outputs. Lock-free; no allocation.</summary>
    /// <param name="primary">The outputs the client received.</param>
    /// <param name="shadow">The shadow version's outputs for the same request.</param>
    /// <returns>False (counted as a shape mismatch) when the lengths differ.</returns>
    public bool Record(ReadOnlySpan<float> primary, ReadOnlySpan<float> shadow)
    {
        if (primary.Length != shadow.Length)
        {
            Interlocked.Increment(ref _mismatches);
            return false;
        }

        long compared = 0;
        long flips = 0;
        long nan = 0;
        double sum = 0.0;
        double max = 0.0;
        for (int i = 0; i < primary.Length; i++)
        {
            double p = primary[i];
            double s = shadow[i];
            if (double.IsNaN(p) || double.IsNaN(s))
            {
                nan++;
                continue;
            }

            double difference = Math.Abs(p - s);
            sum += difference;
            max = Math.Max(max, difference);
            compared++;
            flips += (p >= _threshold) != (s >= _threshold) ? 1 : 0;
        }

        Interlocked.Increment(ref _requests);
        if (compared > 0)
        {
            Interlocked.Add(ref _compared, compared);
            Interlocked.Add(ref _flips, flips);
            AddDouble(ref _sumAbsoluteDifference, sum);
            MaxDouble(ref _maxAbsoluteDifference, max);
        }

        if (nan > 0)
        {
            Interlocked.Add(ref _nanValues, nan);
        }

        return true;
    }

    /// <summary>Counts a shadow call that failed.</summary>
    public void RecordError() => Interlocked.Increment(ref _errors);

    /// <summary>Counts a shadow call that timed out.</summary>
    public void RecordTimeout() => Interlocked.Increment(ref _timeouts);

    /// <summary>Counts a shadow copy that was not sent (queue full, shedding load).</summary>
    public void RecordDrop() => Interlocked.Increment(ref _drops);

    /// <summary>The numbers so far.</summary>
    public ShadowComparisonSnapshot Snapshot()
    {
        long compared = Volatile.Read(ref _compared);
        long flips = Volatile.Read(ref _flips);
        double sum = Volatile.Read(ref _sumAbsoluteDifference);
        return new ShadowComparisonSnapshot
        {
            DecisionThreshold = _threshold,
            Requests = Volatile.Read(ref _requests),
            ComparedValues = compared,
            MeanAbsoluteDifference = compared == 0 ? double.NaN : sum / compared,
            MaxAbsoluteDifference = Volatile.Read(ref _maxAbsoluteDifference),
            DecisionFlips = flips,
            AgreementRate = compared == 0 ? double.NaN : 1.0 - ((double)flips / compared),
            NaNValues = Volatile.Read(ref _nanValues),
            ShapeMismatches = Volatile.Read(ref _mismatches),
            Errors = Volatile.Read(ref _errors),
            Timeouts = Volatile.Read(ref _timeouts),
            Drops = Volatile.Read(ref _drops),
        };
    }

    private static void AddDouble(ref double target, double value)
    {
        double current = Volatile.Read(ref target);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref target, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    private static void MaxDouble(ref double target, double value)
    {
        double current = Volatile.Read(ref target);
        while (value > current)
        {
            double seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
