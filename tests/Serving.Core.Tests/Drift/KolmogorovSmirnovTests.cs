using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class KolmogorovSmirnovTests
{
    private const string File = "ks_2samp.json";

    public static TheoryData<string> Cases => DriftFixtures.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoSample_ScipyFixture_MatchesStatisticPValueAndMethod(string name)
    {
        JsonElement c = DriftFixtures.Case(File, name);
        float[] x = DriftFixtures.Floats(c.GetProperty("x"));
        float[] y = DriftFixtures.Floats(c.GetProperty("y"));
        Array.Sort(x);
        Array.Sort(y);

        KolmogorovSmirnovResult result = KolmogorovSmirnov.TwoSample(x, y);

        DriftFixtures.AssertAbsolute(c.GetProperty("statistic").GetDouble(), result.Statistic, 1e-6, "D");
        DriftFixtures.AssertRelative(c.GetProperty("pvalue").GetDouble(), result.PValue, 1e-4, "p");
        var expectedMethod = c.GetProperty("method").GetString() == "exact"
            ? KolmogorovSmirnovMethod.Exact
            : KolmogorovSmirnovMethod.Asymptotic;
        Assert.Equal(expectedMethod, result.Method);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoSample_SwappedSamples_SameResult(string name)
    {
        JsonElement c = DriftFixtures.Case(File, name);
        float[] x = DriftFixtures.Floats(c.GetProperty("x"));
        float[] y = DriftFixtures.Floats(c.GetProperty("y"));
        Array.Sort(x);
        Array.Sort(y);

        KolmogorovSmirnovResult forward = KolmogorovSmirnov.TwoSample(x, y);
        KolmogorovSmirnovResult backward = KolmogorovSmirnov.TwoSample(y, x);

        Assert.Equal(forward.Statistic, backward.Statistic, 12);
        DriftFixtures.AssertRelative(forward.PValue, backward.PValue, 1e-9, "p");
    }

    [Fact]
    public void TwoSample_EmptySample_Throws()
    {
        Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([], [1f, 2f]));
    }

    [Fact]
    public void TwoSample_ExactProbabilityRoundsAboveOne_FallsBackToAsymptoticLikeScipy()
    {
        // scipy 1.10: _compute_prob_outside_square(10000, 1) = 1.0000000000000002, so ks_2samp warns
        // "Exact calculation unsuccessful. Switching to method=asymp" and returns D = 1e-4, p = 1.0.
        var x = new float[KolmogorovSmirnov.MaxExactSampleSize];
        var y = new float[KolmogorovSmirnov.MaxExactSampleSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i;
            y[i] = i + 0.5f;
        }

        KolmogorovSmirnovResult result = KolmogorovSmirnov.TwoSample(x, y);

        Assert.Equal(KolmogorovSmirnovMethod.Asymptotic, result.Method);
        Assert.Equal(1e-4, result.Statistic, 12);
        Assert.Equal(1.0, result.PValue, 9);
    }

    [Fact]
    public void Statistic_TiesOnBothSides_CountsBothEmpiricalCdfsAtTheTie()
    {
        // F1 and F2 jump together at 1: no gap there; the largest gap is after 2 (3/4 - 1/4).
        float[] x = [1f, 2f, 2f, 3f];
        float[] y = [1f, 3f, 3f, 3f];

        Assert.Equal(0.5, KolmogorovSmirnov.Statistic(x, y), 15);
    }
}
