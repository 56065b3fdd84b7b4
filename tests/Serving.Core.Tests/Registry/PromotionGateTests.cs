using System.Collections.Immutable;
using Serving.Core.Registry;

namespace Serving.Core.Tests.Registry;

public sealed class PromotionGateTests
{
    [Theory]
    [InlineData("log_loss", true)]
    [InlineData("LOSS", true)]
    [InlineData("mean_squared_error", true)]
    [InlineData("auc", false)]
    [InlineData("errors", false)]
    [InlineData("loss_weight", false)]
    public void IsLowerBetter_MetricName_FollowsSuffixRule(string metric, bool expected) =>
        Assert.Equal(expected, PromotionGate.IsLowerBetter(metric));

    [Fact]
    public void Evaluate_ExactlyAtTolerance_IsNotARegression()
    {
        // 0.781 - 0.771 is 0.010000000000000009 in binary floating point; "beyond" must not trip on it.
        var regressions = PromotionGate.Evaluate(Metrics(("auc", 0.771)), Metrics(("auc", 0.781)), 0.01);

        Assert.Empty(regressions);
    }

    [Fact]
    public void Evaluate_WorseOnSharedMetrics_ReportsEachWithTheNumbers()
    {
        var regressions = PromotionGate.Evaluate(
            Metrics(("auc", 0.70), ("log_loss", 0.60), ("accuracy", 0.80), ("only_candidate", 0.0)),
            Metrics(("auc", 0.78), ("log_loss", 0.50), ("accuracy", 0.79), ("only_production", 1.0)),
            0.01);

        Assert.Equal(["auc", "log_loss"], regressions.Select(static r => r.Metric));
        Assert.Equal(0.08, regressions[0].Worsening, 12);
        Assert.Equal(0.10, regressions[1].Worsening, 12);
        Assert.Equal(
            "auc 0.7 vs production 0.78 (higher is better, worse by 0.08 > tolerance 0.01); " +
            "log_loss 0.6 vs production 0.5 (lower is better, worse by 0.1 > tolerance 0.01)",
            PromotionGate.Describe(regressions, 0.01));
    }

    [Fact]
    public void Evaluate_Improvements_AreNotRegressions()
    {
        var regressions = PromotionGate.Evaluate(Metrics(("auc", 0.9), ("rmse_error", 0.1)), Metrics(("auc", 0.8), ("rmse_error", 0.3)), 0.0);

        Assert.Empty(regressions);
    }

    private static ImmutableSortedDictionary<string, double> Metrics(params (string Name, double Value)[] metrics) =>
        metrics.ToImmutableSortedDictionary(static m => m.Name, static m => m.Value);
}
