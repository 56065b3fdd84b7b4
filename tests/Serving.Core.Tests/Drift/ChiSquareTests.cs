using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

/// <summary>Chi-square against scipy (Fixtures/make_chi2_fixtures.py writes chi2.json).</summary>
public class ChiSquareTests
{
    private static readonly JsonElement Fixture = DriftFixtures.Load("chi2.json");

    [Fact]
    public void Survival_ScipyChi2Sf_MatchesToRelative1e9()
    {
        foreach (JsonElement point in Fixture.GetProperty("sf").EnumerateArray())
        {
            double x = point.GetProperty("x").GetDouble();
            int dof = point.GetProperty("dof").GetInt32();
            DriftFixtures.AssertRelative(point.GetProperty("sf").GetDouble(), ChiSquareDistribution.Survival(x, dof), 1e-9, $"chi2.sf({x}, {dof})");
        }
    }

    [Fact]
    public void Homogeneity_ScipyChi2Contingency_MatchesStatisticDofAndP()
    {
        foreach (JsonElement table in Fixture.GetProperty("tables").EnumerateArray())
        {
            string name = table.GetProperty("name").GetString()!;
            (double statistic, int dof, double p) = ChiSquareTest.Homogeneity(
                DriftFixtures.Longs(table.GetProperty("a")), DriftFixtures.Longs(table.GetProperty("b")));

            DriftFixtures.AssertRelative(table.GetProperty("statistic").GetDouble(), statistic, 1e-12, $"{name} statistic");
            Assert.Equal(table.GetProperty("dof").GetInt32(), dof);
            DriftFixtures.AssertRelative(table.GetProperty("pvalue").GetDouble(), p, 1e-9, $"{name} p");
        }
    }

    [Theory]
    [InlineData("shifted_with_unseen")]
    [InlineData("null")]
    [InlineData("constant_one_to_two")]
    public void Evaluate_CategoricalColumn_ChiSquareAndPsiOverCategoriesAndUnseenMatchScipy(string name)
    {
        JsonElement c = DriftFixtures.Case("chi2.json", name);
        float[] reference = DriftFixtures.Floats(c.GetProperty("reference"));
        float[] live = DriftFixtures.Floats(c.GetProperty("live"));
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["x"], [], reference, [], reference.Length);
        var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        recorder.Record(live, live.Length, []);

        DriftColumnResult result = new DriftEvaluator(profile, time).Evaluate(recorder.Rotate(), DriftThresholds.Default).Columns[0];

        ReferenceColumn column = profile.Columns[0];
        Assert.True(column.IsCategorical);
        Assert.Equal(DriftFixtures.Doubles(c.GetProperty("categories")), column.Categories.ToArray());
        Assert.Equal(DriftFixtures.Longs(c.GetProperty("reference_counts")), column.TestReferenceCounts.ToArray());
        Assert.Equal(DriftFixtures.Longs(c.GetProperty("live_counts")), column.Fold(RecordedBins(column, live)));
        Assert.Equal(DriftTest.ChiSquare, result.Test);
        Assert.Equal(column.Categories.ToArray(), result.BinEdges.ToArray());
        Assert.Equal(column.Categories.Length + 1, result.LiveProportions.Length);
        DriftFixtures.AssertRelative(c.GetProperty("pvalue").GetDouble(), result.ChiSquarePValue, 1e-9, $"{name} chi-square p");
        DriftFixtures.AssertAbsolute(c.GetProperty("psi").GetDouble(), result.Psi, 1e-12, $"{name} PSI");
        Assert.True(double.IsNaN(result.KsStatistic));
    }

    [Fact]
    public void Evaluate_ConstantColumnMovesFromOneToTwo_CriticalDrift()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["x"], [], Enumerable.Repeat(1f, 2000).ToArray(), [], 2000);
        var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        recorder.Record(Enumerable.Repeat(2f, 500).ToArray(), 500, []);

        DriftColumnResult result = new DriftEvaluator(profile, time).Evaluate(recorder.Rotate(), DriftThresholds.Default).Columns[0];

        Assert.Equal(DriftVerdict.Drift, result.Verdict);
        Assert.Equal(DriftSeverity.Critical, result.Severity);
        Assert.Equal([0.0, 1.0], result.LiveProportions.ToArray());
    }

    [Fact]
    public void Build_DeclaredCategorical_UsesCategoriesWhateverTheirNumber()
    {
        float[] values = Enumerable.Range(0, 300).Select(i => (float)(i % 40)).ToArray();
        var options = new ReferenceProfileOptions { CategoricalColumns = new HashSet<string> { "zip" } };

        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["zip", "n"], [], values.SelectMany(v => new[] { v, v }).ToArray(), [], 300, options);

        Assert.True(profile.Columns[0].IsCategorical);
        Assert.Equal(40, profile.Columns[0].Categories.Length);
        Assert.False(profile.Columns[1].IsCategorical);
    }

    private static long[] RecordedBins(ReferenceColumn column, float[] live)
    {
        var bins = new long[column.BinCount];
        foreach (float v in live)
        {
            bins[column.BinOf(v)]++;
        }

        return bins;
    }
}
