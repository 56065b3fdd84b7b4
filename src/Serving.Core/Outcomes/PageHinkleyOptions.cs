namespace Serving.Core.Outcomes;

/// <summary>
/// Parameters of the <see cref="PageHinkleyDetector"/>, in the units of the error stream. The defaults suit a
/// stream of 0/1 misclassifications (or any error in [0, 1]): measured on seeded synthetic streams
/// (tests/Serving.Core.Tests/Outcomes/PageHinkleyDetectorTests.cs), an error rate that rises from 0.10 to
/// 0.25 is detected after about 160 labelled predictions on average, and 200 streams of 2,000 predictions at
/// a constant 0.10 raise no alarm.
/// </summary>
internal sealed record PageHinkleyOptions
{
    /// <summary>
    /// δ, the magnitude of change tolerated: each observation adds x − x̄ − δ to the cumulative sum, so a mean
    /// that rises by less than δ never accumulates. Default 0.05 (five percentage points of error rate).
    /// </summary>
    public double Delta { get; init; } = 0.05;

    /// <summary>
    /// λ, the alarm threshold on m_T − min m_t. Larger means fewer false alarms and a longer delay (roughly
    /// λ / (rise − δ) observations after the change). Default 15.
    /// </summary>
    public double Threshold { get; init; } = 15.0;

    /// <summary>No alarm before this many observations since the start or the last alarm, while the mean settles. Default 30.</summary>
    public int MinimumObservations { get; init; } = 30;
}
