using System.Text.Json;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class RolloutJsonTests
{
    // The example policy from docs/rollouts.md; keep the two in step.
    private const string DocumentedCanary = """
        {
          "model": "fraud",
          "revision": 7,
          "mode": "canary",
          "routing_key_header": "x-routing-key",
          "canary": { "stable_version": 3, "canary_version": 4, "weight": 2.5 },
          "shadow": { "version": 5, "percentage": 10, "decision_threshold": 0.5 },
          "plan": {
            "steps": [
              { "type": "set_weight", "weight": 5 },
              { "type": "analysis", "interval_seconds": 300, "required_passes": 2, "max_wait_seconds": 3600,
                "thresholds": {
                  "minimum_requests": 500,
                  "max_error_rate_increase": 0.005,
                  "max_latency_p99_ratio": 1.3,
                  "minimum_predictions": 500,
                  "max_prediction_psi": 0.1,
                  "max_prediction_ks_statistic": 0.1,
                  "min_shadow_agreement": 0.97
                } },
              { "type": "set_weight", "weight": 25 },
              { "type": "pause", "duration_seconds": 600 },
              { "type": "set_weight", "weight": 50 },
              { "type": "pause" },
              { "type": "set_weight", "weight": 100 }
            ]
          },
          "updated_by": "alice",
          "reason": "fraud v4: new features"
        }
        """;

    [Fact]
    public void Deserialize_DocumentedExample_EveryField()
    {
        RolloutPolicy policy = JsonSerializer.Deserialize(DocumentedCanary, RolloutJsonContext.Default.RolloutPolicy)!;

        Assert.Equal("fraud", policy.Model);
        Assert.Equal(7, policy.Revision);
        Assert.Equal(RolloutMode.Canary, policy.Mode);
        Assert.Equal(new CanarySettings { StableVersion = 3, CanaryVersion = 4, Weight = 2.5 }, policy.Canary);
        Assert.Equal(250, policy.Canary!.CanaryBuckets);
        Assert.Equal(new ShadowSettings { Version = 5, Percentage = 10, DecisionThreshold = 0.5 }, policy.Shadow);
        Assert.Equal(7, policy.Plan!.Steps.Length);
        var analysis = Assert.IsType<AnalysisStep>(policy.Plan.Steps[1]);
        Assert.Equal(TimeSpan.FromMinutes(5), analysis.Interval);
        Assert.Equal(TimeSpan.FromHours(1), analysis.MaxWait);
        Assert.Equal(2, analysis.RequiredPasses);
        Assert.Equal(500, analysis.Thresholds.MinimumRequests);
        Assert.Equal(0.97, analysis.Thresholds.MinShadowAgreement);
        Assert.Null(analysis.Thresholds.MaxErrorRateRatio);
        Assert.Equal(RolloutStep.Pause(TimeSpan.FromMinutes(10)), policy.Plan.Steps[3]);
        Assert.Equal(RolloutStep.Pause(), policy.Plan.Steps[5]);
        Assert.Equal("alice", policy.UpdatedBy);
        Assert.Empty(RolloutPolicyValidator.Validate(policy));
    }

    [Fact]
    public void Serialize_PolicyWithProgress_RoundTripsEqual()
    {
        RolloutPolicy policy = JsonSerializer.Deserialize(DocumentedCanary, RolloutJsonContext.Default.RolloutPolicy)! with
        {
            Progress = new RolloutProgress
            {
                Status = RolloutStatus.Analyzing,
                StepIndex = 1,
                StepStartedAt = RolloutFixtures.T0,
                NextAnalysisAt = RolloutFixtures.T0.AddMinutes(5),
                ConsecutivePasses = 1,
                UpdatedAt = RolloutFixtures.T0,
                Reason = "step 2: analyzing every 300 s",
            },
            UpdatedAt = RolloutFixtures.T0,
        };

        string json = JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy);
        RolloutPolicy back = JsonSerializer.Deserialize(json, RolloutJsonContext.Default.RolloutPolicy)!;

        Assert.Equal(policy, back);
        Assert.Equal(policy.CohortSeed, back.CohortSeed);
    }

    [Fact]
    public void Serialize_ThresholdSetToNull_ReadsBackAsNull()
    {
        var thresholds = new AnalysisThresholds { MaxLatencyP99Ratio = null, MaxPredictionKsStatistic = null };
        string json = JsonSerializer.Serialize(thresholds, RolloutJsonContext.Default.AnalysisThresholds);

        AnalysisThresholds back = JsonSerializer.Deserialize(json, RolloutJsonContext.Default.AnalysisThresholds)!;

        Assert.Null(back.MaxLatencyP99Ratio);
        Assert.Null(back.MaxPredictionKsStatistic);
        Assert.Equal(thresholds.MaxPredictionPsi, back.MaxPredictionPsi);
    }

    [Fact]
    public void Serialize_Policy_SnakeCaseNamesAndStringEnums()
    {
        RolloutPolicy policy = RolloutFixtures.BlueGreen() with
        {
            Progress = new RolloutProgress { Status = RolloutStatus.NotStarted },
        };

        string json = JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy);

        Assert.Contains("\"mode\":\"blue_green\"", json, StringComparison.Ordinal);
        Assert.Contains("\"blue_green\":{\"active_version\":3,\"preview_version\":4,\"preview_header\":\"x-preview\"}", json, StringComparison.Ordinal);
        Assert.Contains("\"routing_key_header\":\"x-routing-key\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"not_started\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("cohort_seed", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"canary\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_Steps_TypeDiscriminatorAndSeconds()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with
        {
            Plan = new RolloutPlan { Steps = RolloutFixtures.Steps(RolloutStep.SetWeight(2.5), RolloutStep.Pause(TimeSpan.FromSeconds(90)), RolloutStep.Pause()) },
        };

        string json = JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy);

        Assert.Contains("{\"type\":\"set_weight\",\"weight\":2.5}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"pause\",\"duration_seconds\":90}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"pause\"}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_TypeAfterOtherProperties_Accepted()
    {
        const string json = """{ "model": "m", "mode": "canary", "canary": { "stable_version": 1, "canary_version": 2 }, "plan": { "steps": [ { "weight": 10, "type": "set_weight" } ] } }""";

        RolloutPolicy policy = JsonSerializer.Deserialize(json, RolloutJsonContext.Default.RolloutPolicy)!;

        Assert.Equal(RolloutStep.SetWeight(10), Assert.Single(policy.Plan!.Steps));
    }

    [Fact]
    public void Deserialize_OmittedFields_TakeTheDocumentedDefaults()
    {
        const string json = """
            { "model": "m", "mode": "canary", "canary": { "stable_version": 1, "canary_version": 2 },
              "shadow": { "version": 3, "percentage": 5 },
              "plan": { "steps": [ { "type": "analysis", "interval_seconds": 60, "thresholds": { "minimum_requests": 10 } },
                                   { "type": "analysis", "interval_seconds": 60 } ] } }
            """;

        RolloutPolicy policy = JsonSerializer.Deserialize(json, RolloutJsonContext.Default.RolloutPolicy)!;

        Assert.Equal("x-routing-key", policy.RoutingKeyHeader);
        Assert.Equal(0.5, policy.Shadow!.DecisionThreshold);
        var first = Assert.IsType<AnalysisStep>(policy.Plan!.Steps[0]);
        Assert.Equal(new AnalysisThresholds { MinimumRequests = 10 }, first.Thresholds);
        Assert.Equal(0.01, first.Thresholds.MaxErrorRateIncrease);
        Assert.Equal(100, first.Thresholds.MinimumShadowComparisons);
        Assert.Equal(1, first.RequiredPasses);
        Assert.Null(first.MaxWait);
        Assert.Equal(new AnalysisThresholds(), Assert.IsType<AnalysisStep>(policy.Plan.Steps[1]).Thresholds);
        Assert.Equal("x-preview", JsonSerializer.Deserialize("""{ "model": "m", "mode": "blue_green", "blue_green": { "active_version": 1 } }""",
            RolloutJsonContext.Default.RolloutPolicy)!.BlueGreen!.PreviewHeader);
        Assert.Empty(RolloutPolicyValidator.Validate(policy));
    }

    [Fact]
    public void Deserialize_AnalysisWithoutInterval_Throws()
    {
        const string json = """{ "model": "m", "mode": "canary", "canary": { "stable_version": 1, "canary_version": 2 }, "plan": { "steps": [ { "type": "analysis" } ] } }""";

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, RolloutJsonContext.Default.RolloutPolicy));
    }

    [Fact]
    public void Deserialize_MissingModel_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{ "mode": "none" }""", RolloutJsonContext.Default.RolloutPolicy));
    }

    [Fact]
    public void Deserialize_UnknownMode_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{ "model": "m", "mode": "rainbow" }""", RolloutJsonContext.Default.RolloutPolicy));
    }

    [Fact]
    public void Serialize_EmptyShadowSnapshot_NaNAsString()
    {
        string json = JsonSerializer.Serialize(new ShadowComparison(0.5).Snapshot(), RolloutJsonContext.Default.ShadowComparisonSnapshot);

        Assert.Contains("\"agreement_rate\":\"NaN\"", json, StringComparison.Ordinal);
        Assert.Contains("\"decision_flips\":0", json, StringComparison.Ordinal);
    }
}
