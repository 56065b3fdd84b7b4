using System.Text.Json;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

/// <summary>The experiment step in the rollout state machine, with time passed in (no clock).</summary>
public class ExperimentStepControllerTests
{
    private static readonly DateTimeOffset T0 = RolloutFixtures.T0;

    private static readonly RolloutPlan Plan = new()
    {
        Steps =
        [
            RolloutStep.SetWeight(20),
            RolloutStep.Experiment("log_loss", 0.05, TimeSpan.FromMinutes(5)) with { MaxWait = TimeSpan.FromHours(1) },
            RolloutStep.SetWeight(100),
        ],
    };

    [Fact]
    public void Start_ReachesExperiment_AnalyzesEveryIntervalWithoutWindowReset()
    {
        RolloutTransition t = Started();

        Assert.Equal([new RolloutAction(RolloutActionKind.SetWeight, 20)], t.Actions.ToArray());
        Assert.Equal(RolloutStatus.Analyzing, t.Progress.Status);
        Assert.Equal(1, t.Progress.StepIndex);
        Assert.Equal(T0, t.Progress.StepStartedAt);
        Assert.False(RolloutController.IsAnalysisDue(t.Progress, T0.AddMinutes(4)));
        Assert.True(RolloutController.IsAnalysisDue(t.Progress, T0.AddMinutes(5)));
        Assert.Contains("experiment on log_loss", t.Progress.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_Waiting_LooksAgainAfterTheInterval()
    {
        AnalysisOutcome wait = Look(stableMean: 0.40, canaryMean: 0.40, n: 50);

        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(5), wait);

        Assert.Equal(RolloutStatus.Analyzing, t.Progress.Status);
        Assert.Equal(T0.AddMinutes(10), t.Progress.NextAnalysisAt);
        Assert.Empty(t.Actions.ToArray());
    }

    [Fact]
    public void Advance_SignificantImprovement_PromotesWithTheNumbersInTheAuditReason()
    {
        AnalysisOutcome pass = Look(stableMean: 0.40, canaryMean: 0.30, n: 5000);
        Assert.Equal(AnalysisVerdict.Pass, pass.Verdict);

        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(5), pass);

        Assert.Equal(RolloutStatus.Promoted, t.Progress.Status);
        RolloutAction promote = Assert.Single(t.Actions.ToArray(), a => a.Kind == RolloutActionKind.PromoteCanary);
        Assert.Contains("step 2: experiment passed: experiment log_loss: canary 0.3 (n 5000) vs stable 0.4 (n 5000)", promote.Message, StringComparison.Ordinal);
        Assert.Contains("always-valid interval", promote.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_SignificantHarm_AbortsRollsBackAndAlertsWithTheNumbers()
    {
        AnalysisOutcome fail = Look(stableMean: 0.30, canaryMean: 0.40, n: 5000);

        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(5), fail);

        Assert.Equal(RolloutStatus.Aborted, t.Progress.Status);
        Assert.Equal(new RolloutAction(RolloutActionKind.SetWeight, 0), t.Actions[0]);
        RolloutAction rollback = Assert.Single(t.Actions.ToArray(), a => a.Kind == RolloutActionKind.RecordRollback);
        Assert.StartsWith("step 2: experiment failed: experiment log_loss: canary 0.4 (n 5000) vs stable 0.3 (n 5000)", rollback.Message, StringComparison.Ordinal);
        Assert.Contains("significant harm", rollback.Message, StringComparison.Ordinal);
        Assert.Contains(t.Actions.ToArray(), a => a.Kind == RolloutActionKind.SendAlert);
        RolloutPolicy applied = RolloutController.Apply(RolloutFixtures.Canary(20), t, T0.AddMinutes(5), RolloutController.Actor);
        Assert.Equal(0, applied.Canary!.Weight);
    }

    [Fact]
    public void Advance_InconclusivePastMaxWait_Aborts()
    {
        AnalysisOutcome wait = Look(stableMean: 0.40, canaryMean: 0.40, n: 50);

        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddHours(1), wait);

        Assert.Equal(RolloutStatus.Aborted, t.Progress.Status);
        Assert.Contains("not enough data for experiment after 3600 s", t.Progress.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownMetric_ListsTheKnownOnes()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with
        {
            Plan = new RolloutPlan { Steps = [RolloutStep.Experiment("auc", 0.02, TimeSpan.FromMinutes(1))] },
        };

        string error = Assert.Single(RolloutPolicyValidator.Validate(policy));

        Assert.Equal("plan.steps[0].metric 'auc' is unknown; use one of log_loss, brier, accuracy, error, value", error);
    }

    [Fact]
    public void Validate_MissingMixtureAndBadAlpha_Refused()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with
        {
            Plan = new RolloutPlan { Steps = [RolloutStep.Experiment("accuracy", 0, TimeSpan.FromMinutes(1)) with { Alpha = 1.5 }] },
        };

        IReadOnlyList<string> errors = RolloutPolicyValidator.Validate(policy);

        Assert.Contains(errors, e => e.StartsWith("plan.steps[0].mixture_standard_deviation 0 must be a positive number", StringComparison.Ordinal));
        Assert.Contains("plan.steps[0].alpha 1.5 must be between 0 and 1", errors);
    }

    [Fact]
    public void Json_ExperimentStep_DefaultsAndRoundTrip()
    {
        const string json = """
            {"model": "fraud", "mode": "canary", "canary": {"stable_version": 3, "canary_version": 4, "weight": 0},
             "plan": {"steps": [{"type": "experiment", "metric": "brier", "mixture_standard_deviation": 0.01,
                                 "interval_seconds": 60, "max_samples_per_arm": 20000}]}}
            """;

        RolloutPolicy policy = JsonSerializer.Deserialize(json, RolloutJsonContext.Default.RolloutPolicy)!;
        var step = Assert.IsType<ExperimentStep>(Assert.Single(policy.Plan!.Steps.ToArray()));

        Assert.Equal(0.05, step.Alpha);
        Assert.Equal(0.0, step.NonInferiorityMargin);
        Assert.Equal(100, step.MinimumPerArm);
        Assert.Equal(0.5, step.DecisionThreshold);
        Assert.Equal(20000, step.MaxSamplesPerArm);
        Assert.Equal(TimeSpan.FromMinutes(1), step.Interval);
        Assert.False(step.TestOptions.HigherIsBetter);
        Assert.Empty(RolloutPolicyValidator.Validate(policy));
        RolloutPolicy back = JsonSerializer.Deserialize(JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy), RolloutJsonContext.Default.RolloutPolicy)!;
        Assert.Equal(policy, back);
    }

    private static RolloutTransition Started()
    {
        StoreResult<RolloutTransition> started = RolloutController.Start(Plan, null, T0);
        Assert.True(started.IsSuccess);
        return started.Value;
    }

    /// <summary>An experiment look on arms of <paramref name="n"/> per-prediction log losses with the given means and standard deviation 0.5.</summary>
    private static AnalysisOutcome Look(double stableMean, double canaryMean, long n) =>
        ExperimentAnalyzer.Evaluate((ExperimentStep)Plan.Steps[1], Arm(stableMean, n), Arm(canaryMean, n));

    private static SampleMoments Arm(double mean, long n) =>
        SampleMoments.FromSums(n, mean * n, ((0.25 * (n - 1)) + (mean * mean * n)));
}
