using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class DriftRecorderTests
{
    // Two features with edges at the deciles of 0..99 and one output with edges at deciles of 0..0.99.
    internal static ReferenceProfile TwoFeatureProfile()
    {
        const int rows = 100;
        var features = new float[rows * 2];
        var outputs = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            features[2 * i] = i;
            features[(2 * i) + 1] = -i;
            outputs[i] = i / 100f;
        }

        return ReferenceProfile.Build("model", "v1", ["up", "down"], ["score"], features, outputs, rows);
    }

    [Fact]
    public void Record_SingleRow_CountsEveryColumnAndSamplesIt()
    {
        var time = new ManualTimeProvider();
        var recorder = new DriftRecorder(TwoFeatureProfile(), DriftWindowOptions.Default, time);

        recorder.Record([5f, -5f], 0.05f);
        DriftWindowSnapshot window = recorder.Rotate();

        Assert.Equal(1, window.RowCount);
        Assert.Equal(3, window.Columns.Length);
        foreach (DriftColumnCounts column in window.Columns)
        {
            Assert.Equal(1, column.ValidCount);
            Assert.Single(column.Samples);
        }

        Assert.Equal(1, window.Columns[0].BinCounts[0]);
        Assert.Equal(5f, window.Columns[0].Samples[0]);
        Assert.Equal(0.05f, window.Columns[2].Samples[0]);
    }

    [Fact]
    public void Record_Batch_SameCountsAsRowByRow()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = TwoFeatureProfile();
        var single = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        var batch = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        float[] rows = [1, -1, 50, -50, 99, -99, 200, 0];
        float[] predictions = [0.01f, 0.5f, 0.99f, 2f];

        for (int r = 0; r < 4; r++)
        {
            single.Record(rows.AsSpan(r * 2, 2), predictions[r]);
        }

        batch.Record(rows, 4, predictions);

        DriftWindowSnapshot a = single.Rotate();
        DriftWindowSnapshot b = batch.Rotate();
        Assert.Equal(a.RowCount, b.RowCount);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(a.Columns[c].BinCounts.ToArray(), b.Columns[c].BinCounts.ToArray());
            Assert.Equal(a.Columns[c].Samples.ToArray(), b.Columns[c].Samples.ToArray());
        }
    }

    [Fact]
    public void Record_NaNFeature_CountedMissingNotBinnedNotSampled()
    {
        var recorder = new DriftRecorder(TwoFeatureProfile(), DriftWindowOptions.Default, new ManualTimeProvider());

        recorder.Record([float.NaN, 3f], 0.5f);
        DriftWindowSnapshot window = recorder.Rotate();

        Assert.Equal(1, window.Columns[0].MissingCount);
        Assert.Equal(0, window.Columns[0].ValidCount);
        Assert.Empty(window.Columns[0].Samples);
        Assert.Equal(1, window.Columns[1].ValidCount);
    }

    [Fact]
    public void Record_PastSampleCapacity_KeepsFirstRowsAndCountsAll()
    {
        var options = new DriftWindowOptions { SampleCapacity = 3 };
        var recorder = new DriftRecorder(TwoFeatureProfile(), options, new ManualTimeProvider());

        for (int i = 0; i < 10; i++)
        {
            recorder.Record([i, -i], i / 10f);
        }

        DriftWindowSnapshot window = recorder.Rotate();

        Assert.Equal(10, window.RowCount);
        Assert.Equal(10, window.Columns[0].ValidCount);
        Assert.Equal([0f, 1f, 2f], window.Columns[0].Samples.ToArray());
    }

    [Fact]
    public void Record_WrongLength_Throws()
    {
        var recorder = new DriftRecorder(TwoFeatureProfile(), DriftWindowOptions.Default, new ManualTimeProvider());

        Assert.Throws<ArgumentException>(() => recorder.Record([1f], 0f));
        Assert.Throws<ArgumentException>(() => recorder.Record([1f, 2f, 3f, 4f], 2, [0f]));
    }

    [Fact]
    public void IsRotationDue_RowLimitReached_True()
    {
        var recorder = new DriftRecorder(
            TwoFeatureProfile(), new DriftWindowOptions { MaxRows = 3, MaxDuration = TimeSpan.Zero }, new ManualTimeProvider());
        recorder.Record([1f, 1f], 0f);
        recorder.Record([1f, 1f], 0f);

        Assert.False(recorder.IsRotationDue());
        recorder.Record([1f, 1f], 0f);
        Assert.True(recorder.IsRotationDue());
    }

    [Fact]
    public void IsRotationDue_DurationElapsed_True()
    {
        var time = new ManualTimeProvider();
        var recorder = new DriftRecorder(
            TwoFeatureProfile(), new DriftWindowOptions { MaxRows = 0, MaxDuration = TimeSpan.FromMinutes(5) }, time);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(recorder.IsRotationDue());
        Assert.Null(recorder.RotateIfDue());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(recorder.IsRotationDue());
    }

    [Fact]
    public void Rotate_StartsFreshWindow_WithTimesFromClock()
    {
        var time = new ManualTimeProvider();
        DateTimeOffset opened = time.GetUtcNow();
        var recorder = new DriftRecorder(TwoFeatureProfile(), DriftWindowOptions.Default, time);
        recorder.Record([1f, 1f], 0f);
        time.Advance(TimeSpan.FromSeconds(30));

        DriftWindowSnapshot first = recorder.Rotate();
        recorder.Record([2f, 2f], 0f);
        time.Advance(TimeSpan.FromSeconds(10));
        DriftWindowSnapshot second = recorder.Rotate();

        Assert.Equal(opened, first.Start);
        Assert.Equal(opened.AddSeconds(30), first.End);
        Assert.Equal(first.End, second.Start);
        Assert.Equal(1, first.RowCount);
        Assert.Equal(1, second.RowCount);
        Assert.Equal(0, recorder.CurrentRowCount);
    }

    [Fact]
    public void IsRotationDue_AlignedWindows_DueAtTheNextWholePeriodWhateverTheRowCount()
    {
        // 2025-01-01T00:00:30Z: half-way through a one-minute period.
        var time = new ManualTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 30, TimeSpan.Zero));
        var options = new DriftWindowOptions { MaxRows = 2, MaxDuration = TimeSpan.FromMinutes(1), AlignToDuration = true };
        var recorder = new DriftRecorder(TwoFeatureProfile(), options, time);
        for (int i = 0; i < 5; i++)
        {
            recorder.Record([1f, 1f], 0f);
        }

        time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.False(recorder.IsRotationDue());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(recorder.IsRotationDue());
        DriftWindowSnapshot closed = recorder.Rotate();
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(recorder.IsRotationDue());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(recorder.IsRotationDue());

        Assert.Equal(5, closed.RowCount);
        Assert.Equal(options.WindowIdOf(closed.Start) + 1, options.WindowIdOf(closed.End));
    }

    [Fact]
    public void WindowIdOf_UnixTime_IsFlooredPeriodIndexAndWindowStartOfInvertsIt()
    {
        var options = new DriftWindowOptions { MaxDuration = TimeSpan.FromMinutes(5), AlignToDuration = true };
        var time = new DateTimeOffset(2025, 1, 1, 0, 7, 0, TimeSpan.Zero);

        long id = options.WindowIdOf(time);

        // 1735689600 s is 2025-01-01T00:00:00Z; 420 s into the day is the second five-minute period.
        Assert.Equal((1_735_689_600L / 300) + 1, id);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 5, 0, TimeSpan.Zero), options.WindowStartOf(id));
        Assert.Equal(id, options.WindowIdOf(options.WindowStartOf(id)));
        Assert.Equal(id - 1, options.WindowIdOf(options.WindowStartOf(id).AddTicks(-1)));
        Assert.Equal(-1, options.WindowIdOf(DateTimeOffset.UnixEpoch.AddTicks(-1)));
    }

    [Fact]
    public void Constructor_AlignedWithoutDuration_Throws()
    {
        var options = new DriftWindowOptions { MaxDuration = TimeSpan.Zero, AlignToDuration = true };

        Assert.Throws<ArgumentException>(() => new DriftRecorder(TwoFeatureProfile(), options, new ManualTimeProvider()));
    }
}
