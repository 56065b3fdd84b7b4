namespace Serving.Core.Outcomes;

/// <summary>
/// The Page–Hinkley test for an increase in the mean of a stream of errors — a model whose errors grow
/// although its inputs look the same (concept drift).
/// <para>
/// Page (1954), "Continuous inspection schemes", Biometrika 41(1/2):100–115; the running-mean form used in
/// stream learning by Gama, Sebastião &amp; Rodrigues (2013), "On evaluating stream learning algorithms",
/// Machine Learning 90:317–346. With x̄_T the mean of the observations so far:
/// m_T = Σ_{t ≤ T} (x_t − x̄_t − δ), M_T = min_{t ≤ T} m_t, and a change is signalled when
/// m_T − M_T &gt; λ (and at least <see cref="PageHinkleyOptions.MinimumObservations"/> were seen).
/// After an alarm the detector starts afresh, learning the new level as its baseline.
/// </para>
/// <para>One-sided: a falling error never alarms. Not thread-safe; one detector per model version.</para>
/// </summary>
internal sealed class PageHinkleyDetector
{
    private readonly PageHinkleyOptions _options;
    private double _cumulative;
    private double _minimum;

    /// <summary>Creates a detector with the given parameters.</summary>
    public PageHinkleyDetector(PageHinkleyOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Delta);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threshold);
        _options = options;
    }

    /// <summary>Observations since the start or the last alarm.</summary>
    public long Count { get; private set; }

    /// <summary>The mean of those observations (the baseline the detector compares against).</summary>
    public double Mean { get; private set; }

    /// <summary>The test statistic m_T − M_T; an alarm fires when it exceeds λ.</summary>
    public double Statistic => _cumulative - _minimum;

    /// <summary>Alarms raised so far.</summary>
    public long Alarms { get; private set; }

    /// <summary>Adds one error; returns true when it signals a change (the detector then resets).</summary>
    public bool Add(double error)
    {
        Count++;
        Mean += (error - Mean) / Count;
        _cumulative += error - Mean - _options.Delta;
        _minimum = Math.Min(_minimum, _cumulative);
        if (Count < _options.MinimumObservations || Statistic <= _options.Threshold)
        {
            return false;
        }

        Alarms++;
        Count = 0;
        Mean = 0.0;
        _cumulative = 0.0;
        _minimum = 0.0;
        return true;
    }
}
