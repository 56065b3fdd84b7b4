using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Serving.Core.Rollouts;

/// <summary>
/// Records one cohort's requests (stable or canary of one model) into the open analysis window, lock-free,
/// and hands closed windows to the rollout loop. One per (model, variant).
/// </summary>
/// <remarks>
/// Per request: a writer enter/exit pair, one increment for the request (and one for an error), and while
/// the samples have room one slot reservation each for the latency and for the prediction values. Samples
/// are the window's first N values (not a reservoir), so a reservation is a single
/// <see cref="Interlocked"/> operation; once full the sample costs a volatile read. No allocation.
/// </remarks>
internal sealed class CanaryWindowRecorder
{
    /// <summary>The default latency sample capacity per window.</summary>
    public const int DefaultLatencyCapacity = 10_000;

    /// <summary>The default prediction sample capacity per window (values, not requests).</summary>
    public const int DefaultPredictionCapacity = 10_000;

    private readonly int _latencyCapacity;
    private readonly int _predictionCapacity;
    private readonly TimeProvider _time;
    private Window _current;

    /// <summary>Creates a recorder with an empty window opened now.</summary>
    /// <param name="timeProvider">The clock for window start and end times.</param>
    /// <param name="latencyCapacity">Most latencies kept per window.</param>
    /// <param name="predictionCapacity">Most prediction values kept per window.</param>
    public CanaryWindowRecorder(TimeProvider timeProvider, int latencyCapacity = DefaultLatencyCapacity, int predictionCapacity = DefaultPredictionCapacity)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(latencyCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(predictionCapacity);
        _time = timeProvider;
        _latencyCapacity = latencyCapacity;
        _predictionCapacity = predictionCapacity;
        _current = new Window(latencyCapacity, predictionCapacity, timeProvider.GetUtcNow());
    }

    /// <summary>Requests recorded into the open window so far.</summary>
    public long CurrentRequests => Volatile.Read(ref Volatile.Read(ref _current).Requests);

    /// <summary>Records one answered request. Lock-free; never blocks; no allocation.</summary>
    /// <param name="error">Whether the request failed.</param>
    /// <param name="latencySeconds">How long it took, in seconds; not negative.</param>
    /// <param name="predictions">The prediction values to sample (empty for a failed request).</param>
    /// <exception cref="ArgumentOutOfRangeException">The latency is negative or NaN.</exception>
    public void RecordRequest(bool error, double latencySeconds, ReadOnlySpan<float> predictions)
    {
        if (!(latencySeconds >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(latencySeconds), latencySeconds, "Latency must be a non-negative number of seconds.");
        }

        Window window = Enter();
        try
        {
            window.Record(error, latencySeconds, predictions);
        }
        finally
        {
            Interlocked.Decrement(ref window.Writers);
        }
    }

    /// <summary>
    /// Closes the open window and opens a new one. Safe against concurrent recorders (they move to the new
    /// window). Runs on the rollout loop, never on the request path: it allocates and waits for in-flight
    /// recorders.
    /// </summary>
    public CanaryWindow Rotate()
    {
        DateTimeOffset now = _time.GetUtcNow();
        Window closed = Interlocked.Exchange(ref _current, new Window(_latencyCapacity, _predictionCapacity, now));

        // Seal, then wait for writers that entered before the seal (Dekker-style with the increment in Enter).
        Interlocked.Exchange(ref closed.Sealed, 1);
        var spin = default(SpinWait);
        while (Volatile.Read(ref closed.Writers) != 0)
        {
            spin.SpinOnce();
        }

        return closed.ToWindow(now);
    }

    /// <summary>
    /// The open window as it stands, left open: for status views, never the analysis (it allocates, and a
    /// latency slot a request reserved but has not yet written reads as 0).
    /// </summary>
    public CanaryWindow Peek() => Volatile.Read(ref _current).ToWindow(_time.GetUtcNow());

    private Window Enter()
    {
        while (true)
        {
            Window window = Volatile.Read(ref _current);
            Interlocked.Increment(ref window.Writers);
            if (Volatile.Read(ref window.Sealed) == 0)
            {
                return window;
            }

            Interlocked.Decrement(ref window.Writers);
        }
    }

    // Mutable cells behind the recorder; public fields so they can be passed by ref to Interlocked.
    private sealed class Window(int latencyCapacity, int predictionCapacity, DateTimeOffset start)
    {
        public readonly double[] Latency = new double[latencyCapacity];
        public readonly float[] Predictions = new float[predictionCapacity];
        public readonly DateTimeOffset Start = start;
        public long Requests;
        public long Errors;
        public long LatencyReserved;
        public long PredictionsReserved;
        public int Writers;
        public int Sealed;

        public void Record(bool error, double latencySeconds, ReadOnlySpan<float> predictions)
        {
            Interlocked.Increment(ref Requests);
            if (error)
            {
                Interlocked.Increment(ref Errors);
            }

            // The volatile pre-check keeps a full sample from costing an interlocked operation per request.
            if (Volatile.Read(ref LatencyReserved) < Latency.Length)
            {
                long slot = Interlocked.Increment(ref LatencyReserved) - 1;
                if (slot < Latency.Length)
                {
                    Latency[slot] = latencySeconds;
                }
            }

            if (!predictions.IsEmpty && Volatile.Read(ref PredictionsReserved) < Predictions.Length)
            {
                long first = Interlocked.Add(ref PredictionsReserved, predictions.Length) - predictions.Length;
                if (first < Predictions.Length)
                {
                    int take = (int)Math.Min(predictions.Length, Predictions.Length - first);
                    predictions[..take].CopyTo(Predictions.AsSpan((int)first, take));
                }
            }
        }

        public CanaryWindow ToWindow(DateTimeOffset end)
        {
            int latencies = (int)Math.Min(Volatile.Read(ref LatencyReserved), Latency.Length);
            int predictions = (int)Math.Min(Volatile.Read(ref PredictionsReserved), Predictions.Length);
            return new CanaryWindow
            {
                Requests = Volatile.Read(ref Requests),
                Errors = Volatile.Read(ref Errors),
                LatencySeconds = ImmutableCollectionsMarshal.AsImmutableArray(Latency.AsSpan(0, latencies).ToArray()),
                Predictions = ImmutableCollectionsMarshal.AsImmutableArray(Predictions.AsSpan(0, predictions).ToArray()),
                Start = Start,
                End = end,
            };
        }
    }
}
