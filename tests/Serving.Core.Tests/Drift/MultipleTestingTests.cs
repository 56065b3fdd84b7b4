using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class MultipleTestingTests
{
    private const string File = "multiple_testing.json";

    public static TheoryData<string> Cases => DriftFixtures.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adjust_Bonferroni_MatchesFixture(string name)
    {
        JsonElement c = DriftFixtures.Case(File, name);
        double[] p = DriftFixtures.Doubles(c.GetProperty("p"));
        double[] expected = DriftFixtures.Doubles(c.GetProperty("bonferroni"));
        var adjusted = new double[p.Length];

        MultipleTesting.Adjust(p, adjusted, MultipleTestingCorrection.Bonferroni);

        for (int i = 0; i < p.Length; i++)
        {
            DriftFixtures.AssertRelative(expected[i], adjusted[i], 1e-12, $"p[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adjust_BenjaminiHochberg_MatchesFixture(string name)
    {
        JsonElement c = DriftFixtures.Case(File, name);
        double[] p = DriftFixtures.Doubles(c.GetProperty("p"));
        double[] expected = DriftFixtures.Doubles(c.GetProperty("benjamini_hochberg"));
        var adjusted = new double[p.Length];

        MultipleTesting.Adjust(p, adjusted, MultipleTestingCorrection.BenjaminiHochberg);

        for (int i = 0; i < p.Length; i++)
        {
            DriftFixtures.AssertRelative(expected[i], adjusted[i], 1e-12, $"p[{i}]");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Adjust_NaNEntries_StayNaNAndDoNotCount(bool bonferroni)
    {
        double[] p = [0.01, double.NaN, 0.02, double.NaN];
        var adjusted = new double[p.Length];
        var correction = bonferroni ? MultipleTestingCorrection.Bonferroni : MultipleTestingCorrection.BenjaminiHochberg;

        MultipleTesting.Adjust(p, adjusted, correction);

        // m = 2. Bonferroni: 2p. BH: 0.02 * 2 / 2 = 0.02 for the larger, min(0.01 * 2 / 1, 0.02) for the smaller.
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.True(double.IsNaN(adjusted[3]));
        Assert.Equal(0.02, adjusted[0], 12);
        Assert.Equal(bonferroni ? 0.04 : 0.02, adjusted[2], 12);
    }

    [Fact]
    public void Adjust_None_CopiesInput()
    {
        double[] p = [0.3, 0.01];
        var adjusted = new double[2];

        MultipleTesting.Adjust(p, adjusted, MultipleTestingCorrection.None);

        Assert.Equal(p, adjusted);
    }
}
