using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class PopulationStabilityIndexTests
{
    private const string File = "psi.json";

    // These cases pin numpy's decile binning, ties included; categorical detection would bin tied columns per value.
    private static readonly ReferenceProfileOptions DecilesOnly = new() { CategoricalMaxDistinct = 0 };

    public static TheoryData<string> Cases => DriftFixtures.CaseNames(File);

    [Fact]
    public void Epsilon_MatchesFixtureRule()
    {
        Assert.Equal(PopulationStabilityIndex.Epsilon, DriftFixtures.Load(File).GetProperty("epsilon").GetDouble());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_NumpyFixture_MatchesEdgesCountsAndPsi(string name)
    {
        JsonElement c = DriftFixtures.Case(File, name);
        float[] reference = DriftFixtures.Floats(c.GetProperty("reference"));
        float[] live = DriftFixtures.Floats(c.GetProperty("live"));

        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["x"], [], reference, [], reference.Length, DecilesOnly);
        ReferenceColumn column = profile.Columns[0];
        var liveCounts = new long[column.BinCount];
        foreach (float v in live)
        {
            if (!float.IsNaN(v))
            {
                liveCounts[column.BinOf(v)]++;
            }
        }

        double[] expectedEdges = DriftFixtures.Doubles(c.GetProperty("edges"));
        Assert.Equal(expectedEdges.Length, column.Edges.Length);
        for (int i = 0; i < expectedEdges.Length; i++)
        {
            DriftFixtures.AssertAbsolute(expectedEdges[i], column.Edges[i], 1e-12, $"edge {i}");
        }

        Assert.Equal(DriftFixtures.Longs(c.GetProperty("reference_counts")), column.ReferenceCounts.ToArray());
        Assert.Equal(DriftFixtures.Longs(c.GetProperty("live_counts")), liveCounts);
        double psi = PopulationStabilityIndex.Compute(column.ReferenceCounts.AsSpan(), liveCounts);
        DriftFixtures.AssertAbsolute(c.GetProperty("psi").GetDouble(), psi, 1e-6, "PSI");
    }

    [Fact]
    public void Compute_IdenticalCounts_IsZero()
    {
        long[] counts = [10, 20, 30];

        Assert.Equal(0.0, PopulationStabilityIndex.Compute(counts, counts));
    }

    [Fact]
    public void Compute_EmptyLive_IsNaN()
    {
        Assert.True(double.IsNaN(PopulationStabilityIndex.Compute([5, 5], [0, 0])));
    }

    [Fact]
    public void Compute_EmptyLiveBin_UsesEpsilonFloor()
    {
        // ref 50/50, live 100/0: (1 - .5) ln(1/.5) + (1e-4 - .5) ln(1e-4/.5).
        double expected = (0.5 * Math.Log(2)) + ((1e-4 - 0.5) * Math.Log(1e-4 / 0.5));

        Assert.Equal(expected, PopulationStabilityIndex.Compute([50, 50], [100, 0]), 12);
    }

    [Fact]
    public void Compute_DifferentBinCounts_Throws()
    {
        Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Compute([1, 2], [1, 2, 3]));
    }
}
