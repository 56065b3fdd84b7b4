using System.Text.Json;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class CanaryAnalyzerTests
{
    private static readonly CanaryWindow Stable = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.Uniform);

    /// <summary>Rollouts/Fixtures/canary_reference.json, written by make_canary_reference.py (numpy, scipy) beside it.</summary>
    private static readonly JsonElement Reference = JsonDocument.Parse(
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Rollouts", "Fixtures", "canary_reference.json"))).RootElement.GetProperty("cases");

    private static double ReferenceOf(string canary, string figure) => Reference.GetProperty(canary).GetProperty(figure).GetDouble();

    [Fact]
    public void Analyze_HealthyCanary_Passes()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 12, 0.011, RolloutFixtures.UniformNudged);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Pass, outcome.Verdict);
        Assert.All(outcome.Metrics, m => Assert.True(m.Passed, m.Description));
        Assert.Equal(["error_rate_increase", "latency_p99_ratio", "prediction_psi", "prediction_ks_statistic"], outcome.Metrics.Select(m => m.Name));
        Assert.Contains("stable 1000 requests, canary 1000 requests", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_HigherCanaryErrorRate_FailsWithTheNumbers()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 50, 0.010, RolloutFixtures.UniformNudged);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        AnalysisMetric metric = Assert.Single(outcome.Metrics, m => !m.Passed);
        Assert.Equal("error_rate_increase", metric.Name);
        Assert.Equal(0.04, metric.Observed, 1e-12);
        Assert.Equal(
            "error rate canary 5.00 % (50/1000) - stable 1.00 % (10/1000) = 4 pp > max 1 pp (stable 1000 requests, canary 1000 requests)",
            outcome.Reason);
    }

    [Fact]
    public void Analyze_ErrorRateRatio_FailsWhenStableHasErrors()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 25, 0.010, RolloutFixtures.UniformNudged);
        AnalysisThresholds thresholds = RolloutFixtures.Thresholds() with { MaxErrorRateIncrease = null, MaxErrorRateRatio = 2 };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, thresholds);

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        AnalysisMetric metric = Assert.Single(outcome.Metrics, m => !m.Passed);
        Assert.Equal("error_rate_ratio", metric.Name);
        Assert.Equal(2.5, metric.Observed, 1e-12);
    }

    [Fact]
    public void Analyze_SlowCanary_FailsOnLatencyRatio()
    {
        // Latencies base·(1 + i/1000): p99 = base·(1 + 989.01/1000), so the ratio is exactly the base ratio 2.
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.020, RolloutFixtures.UniformNudged);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        AnalysisMetric metric = Assert.Single(outcome.Metrics, m => !m.Passed);
        Assert.Equal("latency_p99_ratio", metric.Name);
        Assert.Equal(0.0198901, metric.Stable, 1e-9);
        Assert.Equal(2.0, metric.Observed, 1e-9);
        Assert.Contains("p99 latency canary 39.78 ms / stable 19.89 ms = 2 > max 1.5", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ShiftedPredictions_FailsOnPsiAndKs()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.Shifted);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        AnalysisMetric psi = Assert.Single(outcome.Metrics, m => m.Name == "prediction_psi");
        AnalysisMetric ks = Assert.Single(outcome.Metrics, m => m.Name == "prediction_ks_statistic");

        // Reference: numpy PSI (linear deciles, searchsorted right, ε = 1e-4) and scipy's ks_2samp over the
        // same float32 samples (2.17726… and 0.3). Analytically the canary empties the three lowest deciles
        // and puts 1/7 in each of the other seven: ≈ 2.1773.
        Assert.Equal(ReferenceOf("Shifted", "psi"), psi.Observed, 1e-9);
        Assert.Equal(ReferenceOf("Shifted", "ks_statistic"), ks.Observed, 1e-9);
        Assert.False(psi.Passed);
        Assert.False(ks.Passed);
        Assert.Contains("prediction PSI (canary vs stable deciles) 2.1773 > max 0.2", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("prediction KS D 0.3 > max 0.1", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_NudgedPredictions_PsiAndKsMatchReference()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.UniformNudged);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        // Same reference (PSI 2.00007e-05, D 0.001).
        Assert.Equal(ReferenceOf("UniformNudged", "psi"), outcome.Metrics.Single(m => m.Name == "prediction_psi").Observed, 1e-12);
        Assert.Equal(ReferenceOf("UniformNudged", "ks_statistic"), outcome.Metrics.Single(m => m.Name == "prediction_ks_statistic").Observed, 1e-12);
    }

    [Fact]
    public void Analyze_KsPValueThreshold_FailsWithPValue()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.Shifted);
        AnalysisThresholds thresholds = RolloutFixtures.Thresholds() with
        {
            MaxPredictionPsi = null,
            MaxPredictionKsStatistic = null,
            MinPredictionKsPValue = 0.01,
        };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, thresholds);

        AnalysisMetric metric = Assert.Single(outcome.Metrics, m => m.Name == "prediction_ks_p_value");
        Assert.False(metric.Passed);
        double expected = ReferenceOf("Shifted", "ks_p_value");
        Assert.True(Math.Abs(metric.Observed - expected) <= 1e-6 * expected, $"p-value {metric.Observed:R}, scipy says {expected:R}");
    }

    [Fact]
    public void Analyze_EveryCheckFailing_ReasonListsEach()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 100, 0.030, RolloutFixtures.Shifted);
        var shadow = new ShadowComparisonSnapshot { ComparedValues = 1000, DecisionFlips = 100, AgreementRate = 0.9, DecisionThreshold = 0.5 };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds(), shadow);

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        Assert.Equal(5, outcome.Metrics.Count(m => !m.Passed));
        Assert.Contains("error rate canary 10.00 %", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("p99 latency", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("prediction PSI", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("prediction KS D", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("shadow agreement 90.00 % (100 flips in 1000 values at threshold 0.5) < min 95.00 %", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ShadowAgreementAboveMinimum_Passes()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.UniformNudged);
        var shadow = new ShadowComparisonSnapshot { ComparedValues = 1000, DecisionFlips = 10, AgreementRate = 0.99, DecisionThreshold = 0.5 };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds(), shadow);

        Assert.Equal(AnalysisVerdict.Pass, outcome.Verdict);
        Assert.True(Assert.Single(outcome.Metrics, m => m.Name == "shadow_agreement").Passed);
    }

    [Theory]
    [InlineData(99, 1000, "need 100 requests per cohort, have stable 99 and canary 1000")]
    [InlineData(1000, 0, "need 100 requests per cohort, have stable 1000 and canary 0")]
    public void Analyze_TooFewRequests_Waits(long stableRequests, long canaryRequests, string reason)
    {
        CanaryWindow stable = Stable with { Requests = stableRequests, Errors = 0 };
        CanaryWindow canary = RolloutFixtures.Window(canaryRequests, 0, 0.5, RolloutFixtures.Shifted);

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Wait, outcome.Verdict);
        Assert.Equal(reason, outcome.Reason);
        Assert.Empty(outcome.Metrics);
    }

    [Fact]
    public void Analyze_NoData_WaitsNeverPasses()
    {
        var empty = new CanaryWindow();
        AnalysisThresholds noChecks = new()
        {
            MaxErrorRateIncrease = null,
            MaxLatencyP99Ratio = null,
            MaxPredictionPsi = null,
            MaxPredictionKsStatistic = null,
            MinShadowAgreement = null,
        };

        Assert.Equal(AnalysisVerdict.Wait, CanaryAnalyzer.Analyze(empty, empty, RolloutFixtures.Thresholds()).Verdict);
        Assert.Equal(AnalysisVerdict.Wait, CanaryAnalyzer.Analyze(empty, empty, noChecks).Verdict);
        Assert.Equal(AnalysisVerdict.Wait, CanaryAnalyzer.Analyze(empty, empty, noChecks with { MinimumRequests = 0 }).Verdict);
    }

    [Fact]
    public void Analyze_EnoughRequestsTooFewPredictions_Waits()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.UniformNudged) with { Predictions = [0.5f, float.NaN] };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds());

        Assert.Equal(AnalysisVerdict.Wait, outcome.Verdict);
        Assert.Equal("need 100 prediction values per cohort, have stable 1000 and canary 1", outcome.Reason);
    }

    [Fact]
    public void Analyze_TooFewShadowComparisons_Waits()
    {
        CanaryWindow canary = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.UniformNudged);
        var shadow = new ShadowComparisonSnapshot { ComparedValues = 3, AgreementRate = 1, DecisionThreshold = 0.5 };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(Stable, canary, RolloutFixtures.Thresholds(), shadow);

        Assert.Equal(AnalysisVerdict.Wait, outcome.Verdict);
        Assert.Equal("need 100 shadow comparisons, have 3", outcome.Reason);
    }

    [Fact]
    public void Analyze_LatencyFromHistograms_ComparesP99()
    {
        var fast = new LatencyHistogram { UpperBounds = [0.1, 0.2, 0.5], Counts = [50, 40, 9, 1] };
        var slow = new LatencyHistogram { UpperBounds = [0.1, 0.2, 0.5], Counts = [0, 10, 89, 1] };
        AnalysisThresholds latencyOnly = RolloutFixtures.Thresholds() with { MaxPredictionPsi = null, MaxPredictionKsStatistic = null };

        AnalysisOutcome outcome = CanaryAnalyzer.Analyze(
            new CanaryWindow { Requests = 100, LatencyHistogram = fast },
            new CanaryWindow { Requests = 100, LatencyHistogram = slow },
            latencyOnly);

        // Stable p99 = 0.5 (see LatencyHistogramTests); canary rank 99 in (0.2, 0.5]: 0.2 + 0.3·89/89 = 0.5.
        AnalysisMetric metric = Assert.Single(outcome.Metrics, m => m.Name == "latency_p99_ratio");
        Assert.Equal(1.0, metric.Observed, 1e-12);
        Assert.Equal(AnalysisVerdict.Pass, outcome.Verdict);
    }
}
