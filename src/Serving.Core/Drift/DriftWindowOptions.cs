namespace Serving.Core.Drift;

/// <summary>When live windows close and how much KS sample they keep. Immutable.</summary>
internal sealed record DriftWindowOptions
{
    /// <summary>The defaults: 10 000 rows or 5 minutes, whichever comes first; 2 000 KS values per column.</summary>
    public static DriftWindowOptions Default { get; } = new();

    /// <summary>
    /// Close the window once it holds at least this many rows; 0 disables the count limit. The check runs
    /// on the evaluation loop, so a busy window may overshoot by what arrives between two checks.
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
}
