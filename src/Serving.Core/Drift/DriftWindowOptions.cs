namespace Serving.Core.Drift;

/// <summary>When live windows close and how much KS sample they keep. Immutable.</summary>
internal sealed record DriftWindowOptions
{
    /// <summary>The defaults: 10 000 rows or 5 minutes, whichever comes first; 2 000 KS values per column.</summary>
    public static DriftWindowOptions Default { get; } = new();

    /// <summary>
    /// Close the window once it holds at least this many rows; 0 disables the count limit. The check runs
    /// on the evaluation loop, so a busy window may overshoot by what arrives between two checks. Ignored
    /// when <see cref="AlignToDuration"/> is set.
    /// </summary>
    public long MaxRows { get; init; } = 10_000;

    /// <summary>Close the window once it is at least this old; <see cref="TimeSpan.Zero"/> disables the time limit.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// KS keeps the first this-many rows of each window (per column). Rows past it still count in the PSI
    /// bins. At most <see cref="KolmogorovSmirnov.MaxExactSampleSize"/> keeps KS on its exact path
    /// against a reference sample of the same bound.
    /// </summary>
    public int SampleCapacity { get; init; } = 2_000;

    /// <summary>
    /// Time-aligned tumbling windows, for merging across replicas: a window belongs to the period
    /// <see cref="WindowIdOf"/> of its start (Unix time divided by <see cref="MaxDuration"/>, floored) and
    /// is due as soon as the clock is in a later period, so every replica closes "the same" window at the
    /// same wall-clock boundary. <see cref="MaxRows"/> is ignored; <see cref="MaxDuration"/> must be positive.
    /// Default false (windows close by count or age, counted from when each one opened).
    /// </summary>
    public bool AlignToDuration { get; init; }

    /// <summary>The aligned period that <paramref name="time"/> falls in: floor(Unix time / <see cref="MaxDuration"/>).</summary>
    /// <exception cref="InvalidOperationException"><see cref="MaxDuration"/> is not positive.</exception>
    public long WindowIdOf(DateTimeOffset time)
    {
        long duration = MaxDuration.Ticks;
        if (duration <= 0)
        {
            throw new InvalidOperationException("Aligned windows need a positive MaxDuration.");
        }

        long sinceEpoch = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long id = sinceEpoch / duration;
        return sinceEpoch < 0 && sinceEpoch % duration != 0 ? id - 1 : id;
    }

    /// <summary>When the aligned period <paramref name="windowId"/> starts; it ends where <c>windowId + 1</c> starts.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MaxDuration"/> is not positive.</exception>
    public DateTimeOffset WindowStartOf(long windowId)
    {
        long duration = MaxDuration.Ticks;
        if (duration <= 0)
        {
            throw new InvalidOperationException("Aligned windows need a positive MaxDuration.");
        }

        return DateTimeOffset.UnixEpoch.AddTicks(windowId * duration);
    }
}
