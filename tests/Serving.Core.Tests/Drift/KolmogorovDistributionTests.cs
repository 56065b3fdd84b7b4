using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class KolmogorovDistributionTests
{
    public static TheoryData<int, double, double> Points()
    {
        var data = new TheoryData<int, double, double>();
        foreach (JsonElement p in DriftFixtures.Load("kstwo_sf.json").GetProperty("points").EnumerateArray())
        {
            data.Add(p.GetProperty("n").GetInt32(), p.GetProperty("d").GetDouble(), p.GetProperty("sf").GetDouble());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Survival_ScipyKstwoFixture_MatchesWithinRelativeTolerance(int n, double d, double expected)
    {
        double actual = KolmogorovDistribution.Survival(n, d);

        // Tails below 1e-300 are subnormal in SciPy too; compare those absolutely.
        if (expected < 1e-300)
        {
            Assert.True(actual < 1e-299, $"n={n} d={d:R}: expected {expected:R}, got {actual:R}");
        }
        else
        {
            DriftFixtures.AssertRelative(expected, actual, 1e-4, $"n={n} d={d:R}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    public void Survival_InvalidN_IsNaN(double n)
    {
        Assert.True(double.IsNaN(KolmogorovDistribution.Survival(n, 0.3)));
    }

    [Fact]
    public void Survival_AtSupportEnds_IsExact()
    {
        Assert.Equal(1.0, KolmogorovDistribution.Survival(10, 0.05));
        Assert.Equal(0.0, KolmogorovDistribution.Survival(10, 1.0));
    }
}
