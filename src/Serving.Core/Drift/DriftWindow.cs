using System.Collections.Immutable;
using System.Diagnostics;

namespace Serving.Core.Drift;

/// <summary>
/// The open live window of one model version: lock-free counters that recorders add to, and
/// preallocated KS sample slots. Owned by <see cref="DriftRecorder"/>, which swaps it out on rotation.
/// </summary>
/// <remarks>
/// Concurrency: recorders bracket their writes with <see cref="TryEnter"/>/<see cref="Exit"/>, a writer
/// count next to a sealed flag. Rotation seals the window and then waits for the writer count to drain.
/// Both sides write with a full fence before they read the other's variable (Dekker's pattern), so either
/// the recorder sees the seal and retries on the new window, or the rotation sees the writer and waits:
/// no row is lost or split across windows, and the KS slot writes are visible when the count reaches zero.
/// </remarks>
internal sealed class DriftWindow
{
    private readonly ReferenceProfile _profile;
    private readonly int _capacity;
    // Bin and missing counts are striped by processor: recorders on different cores increment their own
    // copy instead of fighting over the same cache lines, and the snapshot adds the stripes up. Each
    // stripe is padded to a multiple of 128 bytes. (Measured with run.sh-style wrk at 64 connections:
    // drift on cost 5-8 % of throughput with one shared array.)
    private static readonly int Stripes = (int)Math.Min(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    private readonly int[] _binOffsets;
    private readonly int _missingOffset;
    private readonly int _stripeStride;
    private readonly long[] _counts;
    private readonly float[] _samples;
    private long _rows;
    private int _writers;
    private int _sealed;

    /// <summary>Creates an empty window.</summary>
    /// <param name="profile">The reference whose bins the window counts into.</param>
    /// <param name="sampleCapacity">KS sample slots per column.</param>
    /// <param name="start">When the window opened.</param>
    public DriftWindow(ReferenceProfile profile, int sampleCapacity, DateTimeOffset start)
    {
        _profile = profile;
        _capacity = sampleCapacity;
        Start = start;
        int columns = profile.Columns.Length;
        _binOffsets = new int[columns];
        int total = 0;
        for (int c = 0; c < columns; c++)
        {
            _binOffsets[c] = total;
            total += profile.Columns[c].BinCount;
        }

        _missingOffset = total;
        _stripeStride = (total + columns + 15) & ~15;
        _counts = new long[Stripes * _stripeStride];
        _samples = new float[columns * sampleCapacity];
    }

    /// <summary>When the window opened.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Rows recorded so far (including rows whose writes are still in flight).</summary>
    public long RowCount => Volatile.Read(ref _rows);

    /// <summary>Registers a writer unless the window is sealed. Pair a true result with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _sealed) == 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _writers);
        return false;
    }

    /// <summary>Unregisters a writer; publishes its plain writes (full fence).</summary>
    public void Exit() => Interlocked.Decrement(ref _writers);

    /// <summary>Records one row. The caller holds <see cref="TryEnter"/> and has checked the lengths.</summary>
    public void RecordRow(ReadOnlySpan<float> features, ReadOnlySpan<float> outputs)
    {
        long slot = Interlocked.Increment(ref _rows) - 1;
        Write(features, outputs, slot);
    }

    /// <summary>Records <paramref name="rowCount"/> rows with one reservation. Same contract as <see cref="RecordRow"/>.</summary>
    public void RecordRows(ReadOnlySpan<float> rows, ReadOnlySpan<float> outputs, int rowCount)
    {
        int f = _profile.FeatureCount;
        int o = _profile.OutputCount;
        long first = Interlocked.Add(ref _rows, rowCount) - rowCount;
        for (int r = 0; r < rowCount; r++)
        {
            Write(rows.Slice(r * f, f), outputs.Slice(r * o, o), first + r);
        }
    }

    private void Write(ReadOnlySpan<float> features, ReadOnlySpan<float> outputs, long slot)
    {
        Debug.Assert(Volatile.Read(ref _writers) > 0);
        int sampleSlot = slot < _capacity ? (int)slot : -1;
        int stripe = (Thread.GetCurrentProcessorId() & (Stripes - 1)) * _stripeStride;
        var columns = _profile.Columns;
        for (int c = 0; c < features.Length; c++)
        {
            Add(columns[c], c, features[c], sampleSlot, stripe);
        }

        int first = features.Length;
        for (int i = 0; i < outputs.Length; i++)
        {
            Add(columns[first + i], first + i, outputs[i], sampleSlot, stripe);
        }
    }

    private void Add(ReferenceColumn column, int c, float value, int sampleSlot, int stripe)
    {
        // Still atomic: a thread can move to another core between reading its processor id and adding.
        if (!float.IsFinite(value))
        {
            Interlocked.Increment(ref _counts[stripe + _missingOffset + c]);
        }
        else
        {
            Interlocked.Increment(ref _counts[stripe + _binOffsets[c] + column.BinOf(value)]);
        }

        if (sampleSlot >= 0)
        {
            // A plain store: this slot belongs to this row alone; Exit publishes it.
            _samples[(c * _capacity) + sampleSlot] = value;
        }
    }

    /// <summary>
    /// Seals the window and waits for in-flight recorders to finish. Call once, after the window has been
    /// replaced as the current one; recorders never block, so the wait is the length of one record call.
    /// </summary>
    public void SealAndDrain()
    {
        Interlocked.Exchange(ref _sealed, 1);
        var spin = default(SpinWait);
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>Copies the counts out. Call after <see cref="SealAndDrain"/>.</summary>
    public DriftWindowSnapshot ToSnapshot(DateTimeOffset end)
    {
        Debug.Assert(Volatile.Read(ref _sealed) == 1 && Volatile.Read(ref _writers) == 0);
        long rows = Volatile.Read(ref _rows);
        int kept = (int)Math.Min(rows, _capacity);
        int columnCount = _binOffsets.Length;
        var columns = ImmutableArray.CreateBuilder<DriftColumnCounts>(columnCount);
        for (int c = 0; c < columnCount; c++)
        {
            var bins = new long[_profile.Columns[c].BinCount];
            long missing = 0;
            for (int stripe = 0; stripe < _counts.Length; stripe += _stripeStride)
            {
                for (int b = 0; b < bins.Length; b++)
                {
                    bins[b] += _counts[stripe + _binOffsets[c] + b];
                }
                missing += _counts[stripe + _missingOffset + c];
            }

            var slots = _samples.AsSpan(c * _capacity, kept);
            var sample = ImmutableArray.CreateBuilder<float>(kept);
            foreach (float v in slots)
            {
                if (float.IsFinite(v))
                {
                    sample.Add(v);
                }
            }

            columns.Add(new DriftColumnCounts(ImmutableArray.Create(bins), missing, sample.ToImmutable()));
        }

        return new DriftWindowSnapshot
        {
            Model = _profile.Model,
            Version = _profile.Version,
            Start = Start,
            End = end,
            RowCount = rows,
            Columns = columns.MoveToImmutable(),
        };
    }
}
