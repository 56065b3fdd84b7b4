using Serving.Core.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class LatencyHistogramTests
{
    // Buckets ≤0.1: 50, (0.1,0.2]: 40, (0.2,0.5]: 9, +Inf: 1 — 100 observations.
    private static readonly LatencyHistogram Histogram = new() { UpperBounds = [0.1, 0.2, 0.5], Counts = [50, 40, 9, 1] };

    [Theory]
    [InlineData(0.5, 0.1)] // rank 50 ends bucket 1: 0 + 0.1·50/50
    [InlineData(0.7, 0.15)] // rank 70: 0.1 + 0.1·20/40
    [InlineData(0.95, 0.36666666666666664)] // rank 95: 0.2 + 0.3·5/9
    [InlineData(0.99, 0.5)] // rank 99: 0.2 + 0.3·9/9
    [InlineData(0.999, 0.5)] // rank 99.9 falls in +Inf: the last finite bound
    public void Quantile_Rank_InterpolatesLikeHistogramQuantile(double q, double expected)
    {
        Assert.Equal(expected, Histogram.Quantile(q), 1e-12);
    }

    [Fact]
    public void Quantile_Empty_NaN()
    {
        var empty = new LatencyHistogram { UpperBounds = [0.1], Counts = [0, 0] };

        Assert.True(double.IsNaN(empty.Quantile(0.99)));
    }

    [Fact]
    public void Add_SameBounds_SumsCounts()
    {
        LatencyHistogram sum = Histogram.Add(Histogram);

        Assert.Equal([100L, 80, 18, 2], sum.Counts.ToArray());
        Assert.Equal(200, sum.Total);
        Assert.Equal(0.5, sum.Quantile(0.99), 1e-12);
    }

    [Fact]
    public void Add_DifferentBounds_Throws()
    {
        var other = new LatencyHistogram { UpperBounds = [0.1, 0.3, 0.5], Counts = [1, 1, 1, 1] };

        Assert.Throws<ArgumentException>(() => Histogram.Add(other));
    }
}
