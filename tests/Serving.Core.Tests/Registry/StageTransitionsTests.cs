using Serving.Core.Registry;

namespace Serving.Core.Tests.Registry;

public sealed class StageTransitionsTests
{
    [Fact]
    public void IsLegal_EveryPair_MatchesTheDocumentedTable()
    {
        var legal = new HashSet<(ModelStage, ModelStage)>
        {
            (ModelStage.None, ModelStage.Staging),
            (ModelStage.None, ModelStage.Archived),
            (ModelStage.Staging, ModelStage.Production),
            (ModelStage.Staging, ModelStage.Archived),
            (ModelStage.Production, ModelStage.Archived),
            (ModelStage.Archived, ModelStage.Staging),
        };

        foreach (var from in Enum.GetValues<ModelStage>())
        {
            foreach (var to in Enum.GetValues<ModelStage>())
            {
                Assert.True(legal.Contains((from, to)) == StageTransitions.IsLegal(from, to), $"{from} -> {to}");
            }
        }
    }

    [Theory]
    [InlineData("production", "Production")]
    [InlineData("Staging", "Staging")]
    [InlineData("ARCHIVED", "Archived")]
    [InlineData("none", "None")]
    public void TryParse_StageName_IgnoresCase(string text, string expected)
    {
        Assert.True(StageTransitions.TryParse(text, out var stage));
        Assert.Equal(expected, stage.ToString());
    }

    [Theory]
    [InlineData("2")]
    [InlineData("prod")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_UnknownStage_ReturnsFalse(string? text) =>
        Assert.False(StageTransitions.TryParse(text, out _));
}
