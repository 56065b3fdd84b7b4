using Serving.Core.Protocol;

namespace Serving.Core.Tests.Protocol;

public sealed class TensorShapeTests
{
    [Fact]
    public void From_Dims_KeepsThemInOrder()
    {
        var shape = TensorShape.From([2, 3, 64, 64]);

        Assert.Equal(4, shape.Rank);
        Assert.Equal([2L, 3, 64, 64], shape.AsSpan().ToArray());
        Assert.Equal(64, shape[3]);
        Assert.Equal("[2, 3, 64, 64]", shape.ToString());
    }

    [Fact]
    public void From_MoreThanMaxRank_Throws()
    {
        Assert.Throws<ArgumentException>(() => TensorShape.From([1, 1, 1, 1, 1, 1, 1, 1, 1]));
    }

    [Fact]
    public void TryAdd_AtMaxRank_ReturnsFalse()
    {
        var shape = TensorShape.From([1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.False(shape.TryAdd(9));
        Assert.Equal(8, shape.Rank);
    }

    [Theory]
    [InlineData(new long[0], 1)]
    [InlineData(new long[] { 0, 12 }, 0)]
    [InlineData(new long[] { 32, 12 }, 384)]
    [InlineData(new long[] { 2, 3, 64, 64 }, 24576)]
    [InlineData(new long[] { -1, 12 }, -1)]
    [InlineData(new long[] { 4294967296, 4294967296 }, -1)]
    [InlineData(new long[] { 0, -1 }, -1)]
    public void ElementCount_Dims_ProductOrMinusOne(long[] dims, long expected)
    {
        Assert.Equal(expected, TensorShape.From(dims).ElementCount());
    }

    [Fact]
    public void Clear_ThenAdd_StartsOver()
    {
        var shape = TensorShape.From([5, 6]);

        shape.Clear();
        shape.TryAdd(7);

        Assert.Equal([7L], shape.AsSpan().ToArray());
    }
}
