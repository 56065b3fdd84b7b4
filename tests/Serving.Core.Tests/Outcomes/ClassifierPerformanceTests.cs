using System.Text.Json;
using Serving.Core.Outcomes;

namespace Serving.Core.Tests.Outcomes;

public class ClassifierPerformanceTests
{
    private const string File = "performance.json";

    public static TheoryData<string> Cases => OutcomeFixtures.CaseNames(File, "classifier");

    [Fact]
    public void Z95_MatchesScipyNormalQuantile()
    {
        double scipy = OutcomeFixtures.Load(File).GetProperty("z95").GetDouble();
        Assert.True(Math.Abs(scipy - IntervalEstimate.Z95) < 1e-15, $"scipy {scipy} vs {IntervalEstimate.Z95}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_ScipyFixture_MatchesEveryMetricAndInterval(string name)
    {
        JsonElement c = OutcomeFixtures.Case(File, "classifier", name);
        double[] probabilities = OutcomeFixtures.Doubles(c, "probabilities");
        int[] labels = OutcomeFixtures.Labels(c);

        ClassifierPerformance performance =
            ClassifierPerformance.Compute(probabilities, labels, c.GetProperty("threshold").GetDouble());

        Assert.Equal(labels.Length, performance.Count);
        Assert.Equal(labels.Sum(), performance.Positives);
        OutcomeFixtures.AssertInterval(c.GetProperty("auc"), performance.Auc);
        OutcomeFixtures.AssertInterval(c.GetProperty("log_loss"), performance.LogLoss);
        OutcomeFixtures.AssertInterval(c.GetProperty("brier"), performance.Brier);
        OutcomeFixtures.AssertInterval(c.GetProperty("accuracy"), performance.Accuracy);
        Assert.Equal(c.GetProperty("ece").GetDouble(), performance.CalibrationError, OutcomeFixtures.Tolerance);
    }

    [Fact]
    public void Compute_OneClassOnly_AucIsNaNAndOtherMetricsDefined()
    {
        ClassifierPerformance performance = ClassifierPerformance.Compute([0.2, 0.7, 0.4], [1, 1, 1], 0.5);

        Assert.True(double.IsNaN(performance.Auc.Value));
        Assert.Equal((0.64 + 0.09 + 0.36) / 3, performance.Brier.Value, 1e-12);
        Assert.Equal(1.0 / 3, performance.Accuracy.Value, 1e-12);
    }

    [Fact]
    public void Compute_ConfidentMiss_LogLossIsClippedNotInfinite()
    {
        ClassifierPerformance performance = ClassifierPerformance.Compute([0.0, 1.0], [1, 1], 0.5);

        Assert.Equal(-Math.Log(ClassifierPerformance.ProbabilityClip) / 2, performance.LogLoss.Value, 1e-9);
    }

    [Theory]
    [InlineData(1.5, 1)]
    [InlineData(double.NaN, 0)]
    [InlineData(0.5, 2)]
    public void Compute_InvalidPair_Throws(double probability, int label)
    {
        Assert.Throws<ArgumentException>(() => ClassifierPerformance.Compute([0.5, probability], [0, label], 0.5));
    }
}
