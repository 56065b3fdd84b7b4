using System.Text.Json;
using Serving.Core.Outcomes;

namespace Serving.Core.Tests.Outcomes;

public class RegressorPerformanceTests
{
    private const string File = "performance.json";

    public static TheoryData<string> Cases => OutcomeFixtures.CaseNames(File, "regressor");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_NumpyFixture_MatchesMaeAndRmseWithIntervals(string name)
    {
        JsonElement c = OutcomeFixtures.Case(File, "regressor", name);

        RegressorPerformance performance = RegressorPerformance.Compute(
            OutcomeFixtures.Doubles(c, "predictions"), OutcomeFixtures.Doubles(c, "labels"));

        OutcomeFixtures.AssertInterval(c.GetProperty("mae"), performance.MeanAbsoluteError);
        OutcomeFixtures.AssertInterval(c.GetProperty("rmse"), performance.RootMeanSquaredError);
    }
}
