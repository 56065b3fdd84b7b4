using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class RolloutControllerTests
{
    private static readonly DateTimeOffset T0 = RolloutFixtures.T0;
    private static readonly RolloutPlan Plan = RolloutFixtures.Plan();
    private static readonly AnalysisOutcome Passed = AnalysisOutcome.Pass("all good", []);
    private static readonly AnalysisOutcome Waiting = AnalysisOutcome.Wait("need 100 requests per cohort, have stable 3 and canary 1");
    private static readonly AnalysisOutcome Failed = AnalysisOutcome.Fail(
        "error rate canary 5.00 % (50/1000) - stable 1.00 % (10/1000) = 4 pp > max 1 pp", []);

    [Fact]
    public void Start_PlanOpensWithSetWeight_SetsWeightThenPauses()
    {
        RolloutTransition t = Started();

        Assert.Equal([new RolloutAction(RolloutActionKind.SetWeight, 10)], t.Actions.ToArray());
        Assert.Equal(RolloutStatus.Paused, t.Progress.Status);
        Assert.Equal(1, t.Progress.StepIndex);
        Assert.Equal(T0.AddMinutes(10), t.Progress.PauseUntil);
        Assert.True(t.Changed);
    }

    [Fact]
    public void Start_WhileActive_InvalidState()
    {
        StoreResult<RolloutTransition> again = RolloutController.Start(Plan, Started().Progress, T0);

        Assert.False(again.IsSuccess);
        Assert.Equal(StoreErrorCode.InvalidState, again.Error.Code);
    }

    [Fact]
    public void Advance_TimedPauseNotOver_Unchanged()
    {
        RolloutProgress paused = Started().Progress;

        RolloutTransition t = RolloutController.Advance(Plan, paused, T0.AddMinutes(9));

        Assert.False(t.Changed);
        Assert.Same(paused, t.Progress);
        Assert.Empty(t.Actions.ToArray());
    }

    [Fact]
    public void Advance_TimedPauseOver_StartsAnalysisWithFreshWindow()
    {
        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(10));

        Assert.Equal(RolloutStatus.Analyzing, t.Progress.Status);
        Assert.Equal(2, t.Progress.StepIndex);
        Assert.Equal(T0.AddMinutes(15), t.Progress.NextAnalysisAt);
        Assert.Equal([new RolloutAction(RolloutActionKind.ResetAnalysisWindow)], t.Actions.ToArray());
        Assert.False(RolloutController.IsAnalysisDue(t.Progress, T0.AddMinutes(14)));
        Assert.True(RolloutController.IsAnalysisDue(t.Progress, T0.AddMinutes(15)));
    }

    [Fact]
    public void Advance_AnalysisPasses_SetsNextWeightAndPausesUntilResumed()
    {
        RolloutTransition t = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Passed);

        Assert.Equal([new RolloutAction(RolloutActionKind.SetWeight, 50)], t.Actions.ToArray());
        Assert.Equal(RolloutStatus.Paused, t.Progress.Status);
        Assert.Equal(4, t.Progress.StepIndex);
        Assert.Null(t.Progress.PauseUntil);
    }

    [Fact]
    public void Advance_PausedUntilResumed_StaysPausedForAnyTime()
    {
        RolloutProgress paused = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Passed).Progress;

        RolloutTransition later = RolloutController.Advance(Plan, paused, T0.AddDays(365));

        Assert.False(later.Changed);
        Assert.Equal(RolloutStatus.Paused, later.Progress.Status);
    }

    [Fact]
    public void Resume_PausedUntilResumed_RunsToTheEndAndPromotes()
    {
        RolloutProgress paused = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Passed).Progress;

        StoreResult<RolloutTransition> resumed = RolloutController.Resume(Plan, paused, T0.AddHours(1));

        Assert.True(resumed.IsSuccess);
        Assert.Equal(
            [new RolloutAction(RolloutActionKind.SetWeight, 100), new RolloutAction(RolloutActionKind.PromoteCanary, Message: "all 6 steps completed")],
            resumed.Value.Actions.ToArray());
        Assert.Equal(RolloutStatus.Promoted, resumed.Value.Progress.Status);
    }

    [Fact]
    public void Resume_TimedPause_EndsItEarly()
    {
        StoreResult<RolloutTransition> resumed = RolloutController.Resume(Plan, Started().Progress, T0.AddMinutes(1));

        Assert.Equal(RolloutStatus.Analyzing, resumed.Value!.Progress.Status);
    }

    [Fact]
    public void Pause_WhileAnalyzing_HoldsAndResumeRunsTheAnalysisAgain()
    {
        StoreResult<RolloutTransition> paused = RolloutController.Pause(Analyzing(), T0.AddMinutes(12), "investigating a p99 spike");

        Assert.True(paused.IsSuccess);
        Assert.Empty(paused.Value.Actions.ToArray());
        Assert.Equal(RolloutStatus.Paused, paused.Value.Progress.Status);
        Assert.Equal(2, paused.Value.Progress.StepIndex);
        Assert.Null(paused.Value.Progress.PauseUntil);
        Assert.True(paused.Value.Progress.PausedByOperator);
        Assert.Equal("step 3: investigating a p99 spike", paused.Value.Progress.Reason);
        Assert.False(RolloutController.Advance(Plan, paused.Value.Progress, T0.AddDays(1), Passed).Changed);

        StoreResult<RolloutTransition> resumed = RolloutController.Resume(Plan, paused.Value.Progress, T0.AddMinutes(30));

        Assert.Equal(RolloutStatus.Analyzing, resumed.Value!.Progress.Status);
        Assert.Equal(2, resumed.Value.Progress.StepIndex);
        Assert.False(resumed.Value.Progress.PausedByOperator);
        Assert.Equal(T0.AddMinutes(35), resumed.Value.Progress.NextAnalysisAt);
        Assert.Equal([new RolloutAction(RolloutActionKind.ResetAnalysisWindow)], resumed.Value.Actions.ToArray());
    }

    [Fact]
    public void Pause_TimedPauseStep_HeldUntilResumedThenGoesOn()
    {
        StoreResult<RolloutTransition> paused = RolloutController.Pause(Started().Progress, T0.AddMinutes(1), "");

        Assert.Null(paused.Value!.Progress.PauseUntil);
        Assert.False(paused.Value.Progress.PausedByOperator);
        Assert.Equal("step 2: paused by an operator", paused.Value.Progress.Reason);
        Assert.False(RolloutController.Advance(Plan, paused.Value.Progress, T0.AddHours(1)).Changed);
        Assert.Equal(RolloutStatus.Analyzing, RolloutController.Resume(Plan, paused.Value.Progress, T0.AddHours(1)).Value!.Progress.Status);
    }

    [Theory]
    [InlineData(nameof(RolloutStatus.NotStarted))]
    [InlineData(nameof(RolloutStatus.Promoted))]
    [InlineData(nameof(RolloutStatus.Aborted))]
    public void Pause_NotUnderWay_InvalidState(string status)
    {
        StoreResult<RolloutTransition> paused = RolloutController.Pause(new RolloutProgress { Status = Enum.Parse<RolloutStatus>(status) }, T0, "x");

        Assert.Equal(StoreErrorCode.InvalidState, paused.Error!.Code);
    }

    [Fact]
    public void Pause_AlreadyPausedUntilResumed_InvalidState()
    {
        RolloutProgress held = RolloutController.Pause(Analyzing(), T0.AddMinutes(12), "x").Value!.Progress;

        StoreResult<RolloutTransition> again = RolloutController.Pause(held, T0.AddMinutes(13), "y");

        Assert.Equal(StoreErrorCode.InvalidState, again.Error!.Code);
        Assert.Equal("the rollout is already Paused at step 3 until resumed", again.Error.Message);
    }

    [Fact]
    public void Resume_NotPaused_InvalidState()
    {
        StoreResult<RolloutTransition> resumed = RolloutController.Resume(Plan, Analyzing(), T0);

        Assert.False(resumed.IsSuccess);
        Assert.Equal(StoreErrorCode.InvalidState, resumed.Error.Code);
        Assert.Equal("only a paused rollout can be resumed; this one is Analyzing at step 3", resumed.Error.Message);
    }

    [Fact]
    public void Advance_AnalysisFails_AbortsWithWeightZeroRollbackAndAlert()
    {
        RolloutTransition t = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Failed);

        string reason = "step 3: canary analysis failed: error rate canary 5.00 % (50/1000) - stable 1.00 % (10/1000) = 4 pp > max 1 pp";
        Assert.Equal(
            [
                new RolloutAction(RolloutActionKind.SetWeight, 0),
                new RolloutAction(RolloutActionKind.RecordRollback, Message: reason),
                new RolloutAction(RolloutActionKind.SendAlert, Message: reason),
            ],
            t.Actions.ToArray());
        Assert.Equal(RolloutStatus.Aborted, t.Progress.Status);
        Assert.Equal(reason, t.Progress.Reason);
    }

    [Fact]
    public void Advance_AnalysisWaits_KeepsWindowAndAsksAgainLater()
    {
        RolloutTransition t = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Waiting);

        Assert.Empty(t.Actions.ToArray());
        Assert.Equal(RolloutStatus.Analyzing, t.Progress.Status);
        Assert.Equal(T0.AddMinutes(20), t.Progress.NextAnalysisAt);
        Assert.Equal("step 3: waiting for data: need 100 requests per cohort, have stable 3 and canary 1", t.Progress.Reason);
    }

    [Fact]
    public void Advance_WaitingPastMaxWait_Aborts()
    {
        var plan = new RolloutPlan
        {
            Steps = RolloutFixtures.Steps(
                RolloutStep.SetWeight(5),
                new AnalysisStep { Thresholds = RolloutFixtures.Thresholds(), Interval = TimeSpan.FromMinutes(1), MaxWait = TimeSpan.FromMinutes(30) }),
        };
        RolloutProgress analyzing = RolloutController.Start(plan, null, T0).Value!.Progress;

        RolloutTransition early = RolloutController.Advance(plan, analyzing, T0.AddMinutes(29), Waiting);
        RolloutTransition late = RolloutController.Advance(plan, early.Progress, T0.AddMinutes(30), Waiting);

        Assert.Equal(RolloutStatus.Analyzing, early.Progress.Status);
        Assert.Equal(RolloutStatus.Aborted, late.Progress.Status);
        Assert.Equal(new RolloutAction(RolloutActionKind.SetWeight, 0), late.Actions[0]);
        Assert.Equal("step 2: not enough data for canary analysis after 1800 s: need 100 requests per cohort, have stable 3 and canary 1", late.Progress.Reason);
    }

    [Fact]
    public void Advance_TwoPassesRequired_FirstPassResetsWindowAndStays()
    {
        var plan = new RolloutPlan
        {
            Steps = RolloutFixtures.Steps(
                RolloutStep.SetWeight(5),
                new AnalysisStep { Thresholds = RolloutFixtures.Thresholds(), Interval = TimeSpan.FromMinutes(1), RequiredPasses = 2 },
                RolloutStep.SetWeight(100)),
        };
        RolloutProgress analyzing = RolloutController.Start(plan, null, T0).Value!.Progress;

        RolloutTransition first = RolloutController.Advance(plan, analyzing, T0.AddMinutes(1), Passed);
        RolloutTransition second = RolloutController.Advance(plan, first.Progress, T0.AddMinutes(2), Passed);

        Assert.Equal([new RolloutAction(RolloutActionKind.ResetAnalysisWindow)], first.Actions.ToArray());
        Assert.Equal(1, first.Progress.ConsecutivePasses);
        Assert.Equal(RolloutStatus.Analyzing, first.Progress.Status);
        Assert.Equal(RolloutStatus.Promoted, second.Progress.Status);
        Assert.Equal(RolloutActionKind.SetWeight, second.Actions[0].Kind);
        Assert.Equal(100, second.Actions[0].Weight);
        Assert.Equal(RolloutActionKind.PromoteCanary, second.Actions[1].Kind);
    }

    [Fact]
    public void Advance_OutcomeWhilePaused_Ignored()
    {
        RolloutTransition t = RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(1), Failed);

        Assert.False(t.Changed);
        Assert.Equal(RolloutStatus.Paused, t.Progress.Status);
    }

    [Theory]
    [InlineData(nameof(RolloutStatus.NotStarted))]
    [InlineData(nameof(RolloutStatus.Promoted))]
    [InlineData(nameof(RolloutStatus.Aborted))]
    public void Advance_NotActive_Unchanged(string status)
    {
        var progress = new RolloutProgress { Status = Enum.Parse<RolloutStatus>(status) };

        RolloutTransition t = RolloutController.Advance(Plan, progress, T0.AddDays(1), Passed);

        Assert.False(t.Changed);
        Assert.Empty(t.Actions.ToArray());
    }

    [Fact]
    public void Abort_ActiveRollout_WeightZeroAtOnce()
    {
        StoreResult<RolloutTransition> aborted = RolloutController.Abort(Analyzing(), T0.AddMinutes(12), "customer complaints");

        Assert.True(aborted.IsSuccess);
        Assert.Equal(new RolloutAction(RolloutActionKind.SetWeight, 0), aborted.Value.Actions[0]);
        Assert.Equal(RolloutActionKind.RecordRollback, aborted.Value.Actions[1].Kind);
        Assert.Equal(RolloutActionKind.SendAlert, aborted.Value.Actions[2].Kind);
        Assert.Equal(RolloutStatus.Aborted, aborted.Value.Progress.Status);
        Assert.Equal("customer complaints", aborted.Value.Progress.Reason);
    }

    [Fact]
    public void Abort_AlreadyAborted_InvalidState()
    {
        RolloutProgress aborted = RolloutController.Abort(Analyzing(), T0, "x").Value!.Progress;

        Assert.Equal(StoreErrorCode.InvalidState, RolloutController.Abort(aborted, T0, "again").Error!.Code);
        Assert.Equal(StoreErrorCode.InvalidState, RolloutController.Promote(aborted, T0, "no").Error!.Code);
    }

    [Fact]
    public void Start_AfterAbort_StartsAgain()
    {
        RolloutProgress aborted = RolloutController.Abort(Analyzing(), T0, "x").Value!.Progress;

        StoreResult<RolloutTransition> restarted = RolloutController.Start(Plan, aborted, T0.AddHours(1));

        Assert.True(restarted.IsSuccess);
        Assert.Equal(RolloutStatus.Paused, restarted.Value.Progress.Status);
    }

    [Fact]
    public void Promote_Command_SkipsRemainingSteps()
    {
        StoreResult<RolloutTransition> promoted = RolloutController.Promote(Started().Progress, T0.AddMinutes(1), "looks great");

        Assert.Equal([new RolloutAction(RolloutActionKind.PromoteCanary, Message: "looks great")], promoted.Value!.Actions.ToArray());
        Assert.Equal(RolloutStatus.Promoted, promoted.Value.Progress.Status);
    }

    [Fact]
    public void Apply_SetWeight_UpdatesCanaryWeightAndProgress()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with { Plan = Plan, Revision = 3 };
        RolloutTransition t = Started();

        RolloutPolicy next = RolloutController.Apply(policy, t, T0, RolloutController.Actor);

        Assert.Equal(10, next.Canary!.Weight);
        Assert.Equal(1000, next.Canary.CanaryBuckets);
        Assert.Same(t.Progress, next.Progress);
        Assert.Equal(3, next.Revision);
        Assert.Equal("rollout-controller", next.UpdatedBy);
        Assert.Equal(T0, next.UpdatedAt);
        Assert.Empty(RolloutPolicyValidator.Validate(next));
    }

    [Fact]
    public void Apply_Abort_CanaryGetsNoTraffic()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(25) with { Plan = Plan };
        RolloutTransition t = RolloutController.Advance(Plan, Analyzing(), T0.AddMinutes(15), Failed);

        RolloutPolicy next = RolloutController.Apply(policy, t, T0.AddMinutes(15), RolloutController.Actor);
        var router = new VariantRouter(new Random(1));

        Assert.Equal(0, next.Canary!.Weight);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(RouteVariant.Stable, router.Route(next, "user-" + i, false).Variant);
        }
    }

    [Fact]
    public void Apply_Promote_CanaryBecomesStable()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(50, stable: 3, canary: 4) with { Plan = Plan };
        RolloutTransition t = RolloutController.Promote(Analyzing(), T0, "ok").Value!;

        RolloutPolicy next = RolloutController.Apply(policy, t, T0, "alice");

        Assert.Equal(new CanarySettings { StableVersion = 4, CanaryVersion = null, Weight = 0 }, next.Canary);
        Assert.Equal(RolloutStatus.Promoted, next.Progress!.Status);
        Assert.Equal("ok", next.Reason);
        Assert.Empty(RolloutPolicyValidator.Validate(next));
        Assert.Equal(4, VariantRouter.Shared.Route(next, "user-1", false).Version);
    }

    [Fact]
    public void FullPlan_DrivenByTheAnalyzer_PromotesHealthyCanary()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(0) with { Plan = Plan };
        CanaryWindow stable = RolloutFixtures.Window(1000, 10, 0.010, RolloutFixtures.Uniform);
        CanaryWindow canary = RolloutFixtures.Window(1000, 11, 0.010, RolloutFixtures.UniformNudged);
        DateTimeOffset now = T0;

        policy = RolloutController.Apply(policy, RolloutController.Start(Plan, policy.Progress, now).Value!, now, "alice");
        for (int tick = 0; tick < 100 && policy.Progress!.Status != RolloutStatus.Promoted; tick++)
        {
            now = now.AddMinutes(1);
            AnalysisOutcome? outcome = RolloutController.IsAnalysisDue(policy.Progress, now)
                ? CanaryAnalyzer.Analyze(stable, canary, RolloutFixtures.Thresholds())
                : null;
            RolloutTransition t = policy.Progress.Status == RolloutStatus.Paused && policy.Progress.PauseUntil is null
                ? RolloutController.Resume(Plan, policy.Progress, now).Value!
                : RolloutController.Advance(Plan, policy.Progress, now, outcome);
            policy = RolloutController.Apply(policy, t, now, RolloutController.Actor);
        }

        Assert.Equal(RolloutStatus.Promoted, policy.Progress!.Status);
        Assert.Equal(new CanarySettings { StableVersion = 4, Weight = 0 }, policy.Canary);
        Assert.Equal(T0.AddMinutes(16), now);
    }

    private static RolloutTransition Started() => RolloutController.Start(Plan, null, T0).Value!;

    // At step 3 (analysis), entered at T0 + 10 min.
    private static RolloutProgress Analyzing() => RolloutController.Advance(Plan, Started().Progress, T0.AddMinutes(10)).Progress;
}
