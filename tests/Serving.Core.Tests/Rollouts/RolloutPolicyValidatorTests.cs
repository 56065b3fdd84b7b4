using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class RolloutPolicyValidatorTests
{
    [Fact]
    public void Validate_CanaryWithPlanAndShadow_NoErrors()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(2.5) with
        {
            Shadow = new ShadowSettings { Version = 5, Percentage = 10 },
            Plan = RolloutFixtures.Plan(),
        };

        Assert.Empty(RolloutPolicyValidator.Validate(policy));
        Assert.Null(RolloutPolicyValidator.Check(policy));
    }

    [Fact]
    public void Validate_BlueGreenAndNone_NoErrors()
    {
        Assert.Empty(RolloutPolicyValidator.Validate(RolloutFixtures.BlueGreen()));
        Assert.Empty(RolloutPolicyValidator.Validate(new RolloutPolicy { Model = "fraud" }));
        Assert.Empty(RolloutPolicyValidator.Validate(new RolloutPolicy { Model = "fraud", Shadow = new ShadowSettings { Version = 2, Percentage = 100 } }));
    }

    [Theory]
    [InlineData(-1.0, "canary.weight -1 is outside 0-100")]
    [InlineData(100.5, "canary.weight 100.5 is outside 0-100")]
    [InlineData(double.NaN, "canary.weight NaN is outside 0-100")]
    [InlineData(12.345, "canary.weight 12.345 is finer than the 0.01 resolution")]
    public void Validate_BadWeight_SaysWhy(double weight, string expected)
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(RolloutFixtures.Canary(weight));

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CanarySameAsStable_Error()
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(RolloutFixtures.Canary(10, stable: 4, canary: 4));

        Assert.Contains("canary.canary_version 4 is the same as canary.stable_version; a canary must be a different version", errors);
    }

    [Fact]
    public void Validate_CanaryModeWithoutSettings_Error()
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(new RolloutPolicy { Model = "fraud", Mode = RolloutMode.Canary });

        Assert.Contains("mode canary needs canary settings (stable_version, canary_version, weight)", errors);
    }

    [Fact]
    public void Validate_WeightWithoutCanaryVersion_Error()
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(RolloutFixtures.Canary(10, canary: null));

        Assert.Contains("canary.weight 10 needs canary.canary_version", errors);
    }

    [Fact]
    public void Validate_MissingStableVersion_Error()
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(RolloutFixtures.Canary(10, stable: 0));

        Assert.Contains("canary.stable_version 0 is missing or not a version (1 or more)", errors);
    }

    [Fact]
    public void Validate_BlueGreenProblems_AllReported()
    {
        RolloutPolicy policy = new()
        {
            Model = "fraud",
            Mode = RolloutMode.BlueGreen,
            BlueGreen = new BlueGreenSettings { ActiveVersion = 3, PreviewVersion = 3, PreviewHeader = "x preview" },
            Canary = new CanarySettings { StableVersion = 1 },
        };

        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(policy);

        Assert.Contains("canary settings are given but mode is blue_green; remove them", errors);
        Assert.Contains("blue_green.preview_version 3 is the same as blue_green.active_version", errors);
        Assert.Contains("blue_green.preview_header 'x preview' is not a valid HTTP header name", errors);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Validate_BlueGreenModeWithoutSettings_Error()
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(new RolloutPolicy { Model = "fraud", Mode = RolloutMode.BlueGreen });

        Assert.Contains("mode blue_green needs blue_green settings (active_version, preview_version)", errors);
    }

    [Fact]
    public void Validate_ShadowProblems_AllReported()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(10) with
        {
            Shadow = new ShadowSettings { Version = 3, Percentage = 150, DecisionThreshold = double.NaN },
        };

        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(policy);

        Assert.Contains("shadow.percentage 150 is outside 0-100", errors);
        Assert.Contains("shadow.decision_threshold NaN must be a finite number", errors);
        Assert.Contains("shadow.version 3 is the version that already serves the traffic; shadow a different version", errors);
    }

    [Fact]
    public void Validate_PlanProblems_AllReported()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with
        {
            Plan = new RolloutPlan
            {
                Steps = RolloutFixtures.Steps(
                    RolloutStep.SetWeight(120),
                    RolloutStep.Pause(TimeSpan.FromSeconds(-1)),
                    new AnalysisStep
                    {
                        Thresholds = new AnalysisThresholds { MinimumRequests = 0, MaxPredictionKsStatistic = 2 },
                        Interval = TimeSpan.Zero,
                        RequiredPasses = 0,
                    }),
            },
        };

        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(policy);

        Assert.Contains("plan.steps[0].weight 120 is outside 0-100", errors);
        Assert.Contains("plan.steps[1].duration_seconds -1 is negative", errors);
        Assert.Contains("plan.steps[2].interval_seconds 0 must be positive", errors);
        Assert.Contains("plan.steps[2].required_passes 0 must be at least 1", errors);
        Assert.Contains("plan.steps[2].thresholds: minimum_requests 0 must be at least 1 (analysis never passes on no data)", errors);
        Assert.Contains("plan.steps[2].thresholds: max_prediction_ks_statistic 2 is outside 0-1", errors);
    }

    [Fact]
    public void Validate_EmptyPlanOrPlanOutsideCanary_Error()
    {
        Assert.Contains("plan.steps is empty; give at least one step",
            RolloutPolicyValidator.Validate(RolloutFixtures.Canary(0) with { Plan = new RolloutPlan() }));
        Assert.Contains("a progressive plan needs mode canary",
            RolloutPolicyValidator.Validate(RolloutFixtures.BlueGreen() with { Plan = RolloutFixtures.Plan() }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-fraud")]
    [InlineData("fraud/../../etc")]
    [InlineData("fraud model")]
    public void Validate_BadModelName_Error(string model)
    {
        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(new RolloutPolicy { Model = model });

        Assert.Single(errors);
        Assert.StartsWith($"model '{model}' is not a valid name", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SeveralProblems_OneInvalidErrorJoiningThem()
    {
        StoreError? error = RolloutPolicyValidator.Check(RolloutFixtures.Canary(-5, stable: 0) with { RoutingKeyHeader = "" });

        Assert.NotNull(error);
        Assert.Equal(StoreErrorCode.InvalidArgument, error.Code);
        Assert.Equal(
            "routing_key_header '' is not a valid HTTP header name; canary.stable_version 0 is missing or not a version (1 or more); canary.weight -5 is outside 0-100",
            error.Message);
    }
}
