namespace Serving.Gateway.Inference;

/// <summary>
/// The back-off of a version that failed to load: the next attempt comes 1 s after the first failure,
/// then 2, 4, 8 … s, at most <see cref="MaxDelay"/> apart, so a fixed file is picked up within a minute
/// and a broken one costs one load attempt a minute.
/// </summary>
/// <param name="Failures">Failed loads in a row.</param>
/// <param name="Delay">The wait after the last failure.</param>
/// <param name="DueAt">When the next attempt is due.</param>
internal readonly record struct LoadRetry(int Failures, TimeSpan Delay, DateTimeOffset DueAt)
{
    /// <summary>The wait after the first failure.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    /// <summary>No failure yet.</summary>
    public static LoadRetry None => default;

    /// <summary>The back-off after one more failure at <paramref name="now"/>.</summary>
    public LoadRetry Next(DateTimeOffset now)
    {
        var delay = Failures == 0 ? FirstDelay : Delay * 2;
        if (delay > MaxDelay)
        {
            delay = MaxDelay;
        }
        return new LoadRetry(Failures + 1, delay, now + delay);
    }

    /// <summary>Whether the next attempt is due at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => now >= DueAt;
}
