using System.Collections.Immutable;
using Serving.Core.Drift;

namespace Serving.Core.Rollouts;

/// <summary>
/// What one cohort (stable or canary) did over an analysis window: request and error counts, a latency
/// sample or histogram, and a sample of its prediction values. From <see cref="CanaryWindowRecorder.Rotate"/>
/// or built by the caller (e.g. merged across replicas).
/// </summary>
internal sealed record CanaryWindow
{
    /// <summary>Requests answered (successfully or not).</summary>
    public long Requests { get; init; }

    /// <summary>Requests that failed.</summary>
    public long Errors { get; init; }

    /// <summary>A sample of request latencies in seconds (the window's first N requests).</summary>
    public ImmutableArray<double> LatencySeconds { get; init; } = [];

    /// <summary>A latency histogram; when present it is used for p99 instead of <see cref="LatencySeconds"/>.</summary>
    public LatencyHistogram? LatencyHistogram { get; init; }

    /// <summary>A sample of the cohort's prediction values (the window's first N values); NaN is ignored.</summary>
    public ImmutableArray<float> Predictions { get; init; } = [];

    /// <summary>When the window opened.</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>When the window closed.</summary>
    public DateTimeOffset End { get; init; }

    /// <summary>Errors ÷ requests; NaN with no requests.</summary>
    public double ErrorRate => Requests == 0 ? double.NaN : (double)Errors / Requests;

    /// <summary>Whether there is any latency data.</summary>
    public bool HasLatency => LatencyHistogram is { } histogram ? histogram.Total > 0 : !LatencySeconds.IsDefaultOrEmpty;

    /// <summary>
    /// The 99th percentile latency in seconds: from the histogram when present (Prometheus'
    /// estimate), else from the sample with numpy's default linear interpolation. NaN with no data.
    /// </summary>
    public double LatencyP99()
    {
        if (LatencyHistogram is { } histogram)
        {
            return histogram.Quantile(0.99);
        }

        if (LatencySeconds.IsDefaultOrEmpty)
        {
            return double.NaN;
        }

        double[] sorted = LatencySeconds.ToArray();
        Array.Sort(sorted);
        return BinEdges.Quantile(sorted, 0.99);
    }

    /// <summary>
    /// This window followed by <paramref name="later"/>: counts added, samples concatenated up to the given
    /// capacities (earlier values first), histograms added. Used to keep accumulating while an analysis waits
    /// for enough data.
    /// </summary>
    public CanaryWindow Merge(CanaryWindow later, int maxLatencySamples, int maxPredictions)
    {
        ArgumentNullException.ThrowIfNull(later);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLatencySamples);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPredictions);
        LatencyHistogram? histogram = (LatencyHistogram, later.LatencyHistogram) switch
        {
            ({ } a, { } b) => a.Add(b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };

        return new CanaryWindow
        {
            Requests = Requests + later.Requests,
            Errors = Errors + later.Errors,
            LatencySeconds = Concat(LatencySeconds, later.LatencySeconds, maxLatencySamples),
            LatencyHistogram = histogram,
            Predictions = Concat(Predictions, later.Predictions, maxPredictions),
            Start = Start,
            End = later.End,
        };
    }

    private static ImmutableArray<T> Concat<T>(ImmutableArray<T> first, ImmutableArray<T> second, int capacity)
    {
        first = first.IsDefault ? [] : first;
        second = second.IsDefault ? [] : second;
        int fromFirst = Math.Min(first.Length, capacity);
        int fromSecond = Math.Min(second.Length, capacity - fromFirst);
        var builder = ImmutableArray.CreateBuilder<T>(fromFirst + fromSecond);
        builder.AddRange(first.AsSpan(0, fromFirst));
        builder.AddRange(second.AsSpan(0, fromSecond));
        return builder.MoveToImmutable();
    }
}
