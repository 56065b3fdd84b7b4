using System.Collections.Immutable;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class DriftWindowSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DriftWindowSnapshot Snapshot(string version, DateTimeOffset start, DateTimeOffset end, long rows, params DriftColumnCounts[] columns) =>
        new()
        {
            Model = "m",
            Version = version,
            Start = start,
            End = end,
            RowCount = rows,
            Columns = [.. columns],
        };

    private static DriftColumnCounts Counts(long[] bins, long missing, float[] samples) =>
        new(ImmutableArray.Create(bins), missing, ImmutableArray.Create(samples));

    [Fact]
    public void Merge_TwoReplicas_AddsCountsConcatenatesSamplesUnionsTime()
    {
        DriftWindowSnapshot a = Snapshot("v", T0, T0.AddMinutes(5), 3, Counts([1, 2, 0], 1, [1f, 2f]));
        DriftWindowSnapshot b = Snapshot("v", T0.AddMinutes(-1), T0.AddMinutes(4), 4, Counts([0, 1, 3], 0, [3f]));

        DriftWindowSnapshot merged = a.Merge(b);

        Assert.Equal(7, merged.RowCount);
        Assert.Equal(T0.AddMinutes(-1), merged.Start);
        Assert.Equal(T0.AddMinutes(5), merged.End);
        Assert.Equal([1L, 3L, 3L], merged.Columns[0].BinCounts.ToArray());
        Assert.Equal(1, merged.Columns[0].MissingCount);
        Assert.Equal([1f, 2f, 3f], merged.Columns[0].Samples.ToArray());
    }

    [Fact]
    public void Merge_RecordedWindows_EqualsOneRecorderSeeingAllRows()
    {
        ReferenceProfile profile = DriftRecorderTests.TwoFeatureProfile();
        var time = new ManualTimeProvider();
        var replicaA = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        var replicaB = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        var both = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        for (int i = 0; i < 40; i++)
        {
            float[] row = [i * 2.5f, -i];
            (i % 3 == 0 ? replicaA : replicaB).Record(row, i / 40f);
            both.Record(row, i / 40f);
        }

        DriftWindowSnapshot merged = replicaA.Rotate().Merge(replicaB.Rotate());
        DriftWindowSnapshot single = both.Rotate();

        Assert.Equal(single.RowCount, merged.RowCount);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(single.Columns[c].BinCounts.ToArray(), merged.Columns[c].BinCounts.ToArray());
            Assert.Equal(single.Columns[c].Samples.Order(), merged.Columns[c].Samples.Order());
        }
    }

    [Fact]
    public void Merge_OtherVersion_Throws()
    {
        DriftWindowSnapshot a = Snapshot("v1", T0, T0, 0, Counts([0, 0], 0, []));
        DriftWindowSnapshot b = Snapshot("v2", T0, T0, 0, Counts([0, 0], 0, []));

        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }

    [Fact]
    public void Merge_DifferentBins_Throws()
    {
        DriftWindowSnapshot a = Snapshot("v", T0, T0, 0, Counts([0, 0], 0, []));
        DriftWindowSnapshot b = Snapshot("v", T0, T0, 0, Counts([0, 0, 0], 0, []));

        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }
}
