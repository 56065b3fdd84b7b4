using Serving.Core.Outcomes;

namespace Serving.Core.Tests.Outcomes;

public class OutcomeMetricsTests
{
    private static LabelledPrediction Prediction(double score, double label, double? value = null) =>
        new("m", "1", "canary", "id", score, label, value, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("log_loss", 0.8, 1, 0.22314355131420976)] // -ln 0.8
    [InlineData("log_loss", 0.8, 0, 1.6094379124341005)] // -ln 0.2
    [InlineData("brier", 0.8, 0, 0.64)]
    [InlineData("accuracy", 0.5, 1, 1.0)] // p = threshold counts as class 1
    [InlineData("accuracy", 0.49, 1, 0.0)]
    [InlineData("error", 12.5, 10, 2.5)]
    public void TryGetValue_KnownPrediction_MatchesTheFormula(string name, double score, double label, double expected)
    {
        Assert.True(OutcomeMetrics.TryParse(name, out var metric));
        Assert.True(OutcomeMetrics.TryGetValue(metric, Prediction(score, label), 0.5, out double value));
        Assert.Equal(expected, value, 12);
    }

    [Fact]
    public void TryGetValue_ClassifierMetricOnRegressorLabel_NoValue()
    {
        Assert.False(OutcomeMetrics.TryGetValue(OutcomeMetric.Brier, Prediction(0.4, 3.0), 0.5, out _));
        Assert.False(OutcomeMetrics.TryGetValue(OutcomeMetric.Value, Prediction(0.4, 1), 0.5, out _));
    }

    [Fact]
    public void TryParse_UnknownName_False()
    {
        Assert.False(OutcomeMetrics.TryParse("auc", out _));
        Assert.False(OutcomeMetrics.TryParse(null, out _));
        Assert.True(OutcomeMetrics.HigherIsBetter(OutcomeMetric.Value));
        Assert.False(OutcomeMetrics.HigherIsBetter(OutcomeMetric.LogLoss));
    }

    [Fact]
    public void FromSums_SameValues_EqualsWelford()
    {
        double[] values = [0.3, 1.7, 0.25, 0.9, 2.2, 0.01];
        double sum = 0, squares = 0;
        foreach (double v in values)
        {
            sum += v;
            squares += v * v;
        }

        SampleMoments welford = SampleMoments.Of(values);
        SampleMoments sums = SampleMoments.FromSums(values.Length, sum, squares);

        Assert.Equal(welford.Count, sums.Count);
        Assert.Equal(welford.Mean, sums.Mean, 12);
        Assert.Equal(welford.Variance, sums.Variance, 12);
        Assert.True(double.IsNaN(SampleMoments.FromSums(0, 0, 0).Mean));
    }
}
