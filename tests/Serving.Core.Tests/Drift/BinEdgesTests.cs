using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class BinEdgesTests
{
    [Fact]
    public void FromQuantiles_ConstantSample_OneEdgeTwoBins()
    {
        double[] edges = BinEdges.FromQuantiles([3, 3, 3, 3], 10);

        Assert.Equal([3.0], edges);
    }

    [Fact]
    public void FromQuantiles_ManyTies_DuplicateEdgesCollapse()
    {
        double[] sorted = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];

        double[] edges = BinEdges.FromQuantiles(sorted, 10);

        // numpy.unique(numpy.quantile(..., [.1, ..., .9])) = [0, 0.4, 1, 1.1].
        Assert.Equal(4, edges.Length);
        Assert.Equal(0.0, edges[0]);
        Assert.Equal(0.4, edges[1], 12);
        Assert.Equal(1.0, edges[2]);
        Assert.Equal(1.1, edges[3], 12);
    }

    [Fact]
    public void Quantile_LinearMethod_InterpolatesLikeNumpy()
    {
        double[] sorted = [1, 2, 4, 8];

        Assert.Equal(1.3, BinEdges.Quantile(sorted, 0.1), 12);
        Assert.Equal(3.0, BinEdges.Quantile(sorted, 0.5), 12);
        Assert.Equal(6.8, BinEdges.Quantile(sorted, 0.9), 12);
    }

    [Theory]
    [InlineData(-100.0, 0)]
    [InlineData(0.999, 0)]
    [InlineData(1.0, 1)]
    [InlineData(1.5, 1)]
    [InlineData(2.0, 2)]
    [InlineData(3.0, 3)]
    [InlineData(double.PositiveInfinity, 3)]
    [InlineData(double.NegativeInfinity, 0)]
    public void IndexOf_Value_IsNumberOfEdgesAtOrBelow(double value, int expected)
    {
        Assert.Equal(expected, BinEdges.IndexOf([1.0, 2.0, 3.0], value));
    }

    [Fact]
    public void IndexOf_MoreEdgesThanLinearLimit_BisectsToSameAnswer()
    {
        double[] edges = Enumerable.Range(0, BinEdges.LinearSearchLimit + 7).Select(i => i * 0.5).ToArray();

        for (double v = -1; v <= 15; v += 0.25)
        {
            Assert.Equal(edges.Count(e => e <= v), BinEdges.IndexOf(edges, v));
        }
    }

    [Fact]
    public void FromQuantiles_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => BinEdges.FromQuantiles([], 10));
    }
}
