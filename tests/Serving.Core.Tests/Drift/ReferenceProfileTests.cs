using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class ReferenceProfileTests
{
    [Fact]
    public void Build_FeaturesThenOutputs_ColumnsInOrder()
    {
        float[] rows = [1, 10, 2, 20, 3, 30];
        float[] outputs = [0.1f, 0.2f, 0.3f];

        ReferenceProfile profile = ReferenceProfile.Build("m", "v1", ["a", "b"], ["score"], rows, outputs, 3);

        Assert.Equal(["a", "b", "score"], profile.Columns.Select(c => c.Name));
        Assert.Equal([DriftColumnKind.Feature, DriftColumnKind.Feature, DriftColumnKind.Output], profile.Columns.Select(c => c.Kind));
        Assert.Equal([10f, 20f, 30f], profile.Columns[1].SortedSample.ToArray());
        Assert.Equal(3, profile.Columns[2].ValidCount);
    }

    [Fact]
    public void Build_ConstantFeature_TwoBinsAllReferenceInUpper()
    {
        float[] rows = Enumerable.Repeat(4f, 50).ToArray();

        ReferenceColumn column = ReferenceProfile.Build("m", "v", ["c"], [], rows, [], 50, new ReferenceProfileOptions { CategoricalMaxDistinct = 0 }).Columns[0];

        Assert.Equal(2, column.BinCount);
        Assert.Equal([0L, 50L], column.ReferenceCounts.ToArray());
        Assert.Equal(0, column.BinOf(3.9f));
        Assert.Equal(1, column.BinOf(4f));
    }

    [Fact]
    public void Build_NaNValues_ExcludedAndCountedMissing()
    {
        float[] rows = [1, float.NaN, 2, float.NaN, 3];

        ReferenceColumn column = ReferenceProfile.Build("m", "v", ["x"], [], rows, [], 5).Columns[0];

        Assert.Equal(3, column.ValidCount);
        Assert.Equal(2, column.MissingCount);
        Assert.Equal([1f, 2f, 3f], column.SortedSample.ToArray());
    }

    [Fact]
    public void Build_AllNaNColumn_IsEmpty()
    {
        float[] rows = [float.NaN, float.NaN];

        ReferenceColumn column = ReferenceProfile.Build("m", "v", ["x"], [], rows, [], 2).Columns[0];

        Assert.True(column.IsEmpty);
        Assert.Equal(1, column.BinCount);
        Assert.Empty(column.SortedSample);
    }

    [Fact]
    public void Build_MoreRowsThanSampleCapacity_SystematicSampleOfCapacity()
    {
        float[] rows = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();

        ReferenceColumn column = ReferenceProfile.Build(
            "m", "v", ["x"], [], rows, [], 1000, new ReferenceProfileOptions { SampleCapacity = 100 }).Columns[0];

        Assert.Equal(100, column.SortedSample.Length);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 10f), column.SortedSample.ToArray());
        Assert.Equal(1000, column.ValidCount);
    }

    [Fact]
    public void Build_ShapeMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => ReferenceProfile.Build("m", "v", ["a", "b"], [], [1f, 2f, 3f], [], 2));
        Assert.Throws<ArgumentException>(() => ReferenceProfile.Build("m", "v", ["a"], ["o"], [1f, 2f], [1f], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceProfile.Build("m", "v", ["a"], [], [], [], 0));
    }
}
