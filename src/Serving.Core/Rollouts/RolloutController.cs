using System.Collections.Immutable;
using System.Globalization;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// The progressive delivery state machine, as pure functions of (plan, state, now, analysis outcome):
/// no clock, no I/O. The rollout loop calls <see cref="Advance"/> on each tick (with an outcome when
/// <see cref="IsAnalysisDue"/>), carries out the returned actions in order, and writes the policy from
/// <see cref="Apply"/> with a compare-and-swap; operators call <see cref="Start"/>, <see cref="Pause"/>,
/// <see cref="Resume"/>, <see cref="Promote"/> and <see cref="Abort"/>.
/// </summary>
/// <remarks>
/// States: NotStarted → Progressing → (Paused | Analyzing)* → Promoted, or → Aborted from any active
/// state. Set-weight steps take effect at once and the machine runs on through them until it reaches a
/// pause, an analysis or the end of the plan (promotion). Abort sets the weight to 0 at once, records a
/// rollback and alerts, with the reason and its numbers.
/// </remarks>
internal static class RolloutController
{
    /// <summary>The <see cref="RolloutPolicy.UpdatedBy"/> of changes the controller makes on its own.</summary>
    public const string Actor = "rollout-controller";

    /// <summary>Starts the plan at its first step. Allowed unless a rollout is already under way.</summary>
    public static StoreResult<RolloutTransition> Start(RolloutPlan plan, RolloutProgress? current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (current is { IsActive: true })
        {
            return StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState,
                $"the rollout is already {Describe(current)}; abort it before starting again");
        }

        return Transition(actions => RunSteps(plan, 0, now, actions, evidence: null));
    }

    /// <summary>
    /// One tick: finishes a timed pause whose time is up, and applies an analysis outcome at an analysis
    /// step (pass: count it and go on after enough passes; fail: abort; wait: keep waiting, or abort past
    /// the step's max wait). Returns the state unchanged (<see cref="RolloutTransition.Changed"/> false)
    /// when there is nothing to do; an outcome outside an analysis step is ignored.
    /// </summary>
    public static RolloutTransition Advance(RolloutPlan plan, RolloutProgress state, DateTimeOffset now, AnalysisOutcome? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        switch (state.Status)
        {
            case RolloutStatus.Progressing:
                return Transition(actions => RunSteps(plan, state.StepIndex, now, actions, state.Evidence));

            case RolloutStatus.Paused when state.PauseUntil is { } until && now >= until:
                return Transition(actions => RunSteps(plan, state.StepIndex + 1, now, actions, state.Evidence));

            case RolloutStatus.Analyzing when outcome is not null && state.StepIndex < plan.Steps.Length
                && Judging.Of(plan.Steps[state.StepIndex]) is { } step:
                return Transition(actions => ApplyOutcome(plan, step, state, now, outcome, actions));

            default:
                return Unchanged(state);
        }
    }

    /// <summary>Whether the rollout is at an analysis step whose next evaluation is due.</summary>
    public static bool IsAnalysisDue(RolloutProgress state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Status == RolloutStatus.Analyzing && (state.NextAnalysisAt is not { } due || now >= due);
    }

    /// <summary>Ends a pause (timed or until resumed) and runs on to the following steps.</summary>
    public static StoreResult<RolloutTransition> Resume(RolloutPlan plan, RolloutProgress state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != RolloutStatus.Paused)
        {
            return StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState,
                $"only a paused rollout can be resumed; this one is {Describe(state)}");
        }

        // An operator pause interrupted its step (an analysis, say): run that step again rather than skip it.
        int next = state.PausedByOperator ? state.StepIndex : state.StepIndex + 1;
        return Transition(actions => RunSteps(plan, next, now, actions, state.Evidence));
    }

    /// <summary>
    /// An operator's pause: holds the rollout at its current step until <see cref="Resume"/>. While
    /// progressing or analyzing the step is interrupted (<see cref="RolloutProgress.PausedByOperator"/>:
    /// resume runs it again, an analysis on a fresh window); a timed pause step is held past its time
    /// (resume then goes on to the next step). No side effects: the weight stays where it is.
    /// </summary>
    public static StoreResult<RolloutTransition> Pause(RolloutProgress state, DateTimeOffset now, string reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        string where = string.Create(CultureInfo.InvariantCulture, $"step {state.StepIndex + 1}: {OperatorReason(reason, "paused by an operator")}");
        switch (state.Status)
        {
            case RolloutStatus.Progressing or RolloutStatus.Analyzing:
                return new RolloutTransition(
                    new RolloutProgress
                    {
                        Status = RolloutStatus.Paused,
                        StepIndex = state.StepIndex,
                        StepStartedAt = now,
                        UpdatedAt = now,
                        Reason = where,
                        PausedByOperator = true,
                        Evidence = state.Evidence,
                    },
                    []);

            case RolloutStatus.Paused when state.PauseUntil is not null:
                return new RolloutTransition(state with { PauseUntil = null, UpdatedAt = now, Reason = where }, []);

            default:
                return StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState, state.Status == RolloutStatus.Paused
                    ? $"the rollout is already {Describe(state)} until resumed"
                    : $"only a rollout under way can be paused; this one is {Describe(state)}");
        }
    }

    /// <summary>Promotes the canary now, skipping the remaining steps. Not allowed once promoted or aborted.</summary>
    public static StoreResult<RolloutTransition> Promote(RolloutProgress state, DateTimeOffset now, string reason) =>
        EndByOperator(state, "; start it again first",
            actions => Promoted(state.StepIndex, now, OperatorReason(reason, "promoted by an operator"), actions, state.Evidence));

    /// <summary>Aborts: canary weight to 0 at once, a rollback record and an alert. Not allowed once promoted or aborted.</summary>
    public static StoreResult<RolloutTransition> Abort(RolloutProgress state, DateTimeOffset now, string reason) =>
        EndByOperator(state, string.Empty, actions => Aborted(state, now, OperatorReason(reason, "aborted by an operator"), actions));

    /// <summary>
    /// The policy after a transition: the new progress, the canary weight of the last
    /// <see cref="RolloutActionKind.SetWeight"/>, and on <see cref="RolloutActionKind.PromoteCanary"/> the
    /// canary version becomes the stable one (no canary, weight 0). The revision is left as read: the
    /// store's compare-and-swap raises it.
    /// </summary>
    public static RolloutPolicy Apply(RolloutPolicy policy, RolloutTransition transition, DateTimeOffset now, string actor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(transition);
        CanarySettings? canary = policy.Canary;
        foreach (RolloutAction action in transition.Actions)
        {
            if (canary is null)
            {
                break;
            }

            if (action.Kind == RolloutActionKind.SetWeight)
            {
                canary = canary with { Weight = action.Weight };
            }
            else if (action.Kind == RolloutActionKind.PromoteCanary && canary.CanaryVersion is { } promoted)
            {
                canary = new CanarySettings { StableVersion = promoted, CanaryVersion = null, Weight = 0 };
            }
        }

        return policy with
        {
            Canary = canary,
            Progress = transition.Progress,
            UpdatedAt = now,
            UpdatedBy = actor,
            Reason = transition.Progress.Reason,
        };
    }

    private static RolloutProgress RunSteps(
        RolloutPlan plan, int index, DateTimeOffset now, ImmutableArray<RolloutAction>.Builder actions, string? evidence)
    {
        ImmutableArray<RolloutStep> steps = plan.Steps;
        while (index < steps.Length)
        {
            switch (steps[index])
            {
                case SetWeightStep setWeight:
                    actions.Add(new RolloutAction(RolloutActionKind.SetWeight, setWeight.Weight));
                    index++;
                    continue;

                case PauseStep { Duration: { } duration } when duration <= TimeSpan.Zero:
                    index++;
                    continue;

                case PauseStep pause:
                    return new RolloutProgress
                    {
                        Status = RolloutStatus.Paused,
                        StepIndex = index,
                        StepStartedAt = now,
                        PauseUntil = now + pause.Duration,
                        UpdatedAt = now,
                        Evidence = evidence,
                        Reason = pause.Duration is { } d
                            ? string.Create(CultureInfo.InvariantCulture, $"step {index + 1}: paused for {d.TotalSeconds:0.###} s")
                            : string.Create(CultureInfo.InvariantCulture, $"step {index + 1}: paused until resumed"),
                    };

                case AnalysisStep analysis:
                    actions.Add(new RolloutAction(RolloutActionKind.ResetAnalysisWindow));
                    return new RolloutProgress
                    {
                        Status = RolloutStatus.Analyzing,
                        StepIndex = index,
                        StepStartedAt = now,
                        NextAnalysisAt = now + analysis.Interval,
                        UpdatedAt = now,
                        Reason = string.Create(CultureInfo.InvariantCulture, $"step {index + 1}: analyzing every {analysis.Interval.TotalSeconds:0.###} s"),
                        Evidence = evidence,
                    };

                case ExperimentStep experiment:
                    // No window to reset: the arms count the predictions made since StepStartedAt, whenever their labels arrive.
                    return new RolloutProgress
                    {
                        Status = RolloutStatus.Analyzing,
                        StepIndex = index,
                        StepStartedAt = now,
                        NextAnalysisAt = now + experiment.Interval,
                        UpdatedAt = now,
                        Reason = string.Create(CultureInfo.InvariantCulture,
                            $"step {index + 1}: experiment on {experiment.Metric}, looking every {experiment.Interval.TotalSeconds:0.###} s"),
                        Evidence = evidence,
                    };

                default:
                    throw new InvalidOperationException($"unknown rollout step {steps[index].GetType().Name}");
            }
        }

        return Promoted(index, now, string.Create(CultureInfo.InvariantCulture, $"all {steps.Length} steps completed"), actions, evidence);
    }

    private static RolloutProgress ApplyOutcome(
        RolloutPlan plan, Judging step, RolloutProgress state, DateTimeOffset now, AnalysisOutcome outcome,
        ImmutableArray<RolloutAction>.Builder actions)
    {
        int number = state.StepIndex + 1;
        switch (outcome.Verdict)
        {
            case AnalysisVerdict.Fail:
                return Aborted(state, now, $"step {number}: {step.Name} failed: {outcome.Reason}", actions);

            case AnalysisVerdict.Pass when state.ConsecutivePasses + 1 >= step.RequiredPasses:
                // An experiment's numbers travel with the rollout into the promotion's audit entry.
                return RunSteps(plan, state.StepIndex + 1, now, actions, step.KeepsEvidence
                    ? Join(state.Evidence, $"step {number}: {step.Name} passed: {outcome.Reason}")
                    : state.Evidence);

            case AnalysisVerdict.Pass:
                actions.Add(new RolloutAction(RolloutActionKind.ResetAnalysisWindow));
                return state with
                {
                    ConsecutivePasses = state.ConsecutivePasses + 1,
                    NextAnalysisAt = now + step.Interval,
                    UpdatedAt = now,
                    Reason = string.Create(CultureInfo.InvariantCulture,
                        $"step {number}: analysis passed {state.ConsecutivePasses + 1} of {step.RequiredPasses}: {outcome.Reason}"),
                };

            default:
                if (step.MaxWait is { } maxWait && state.StepStartedAt is { } started && now - started >= maxWait)
                {
                    return Aborted(state, now, string.Create(CultureInfo.InvariantCulture,
                        $"step {number}: not enough data for {step.Name} after {maxWait.TotalSeconds:0.###} s: {outcome.Reason}"), actions);
                }

                // Insufficient data: keep the window accumulating and ask again later.
                return state with
                {
                    NextAnalysisAt = now + step.Interval,
                    UpdatedAt = now,
                    Reason = $"step {number}: waiting for data: {outcome.Reason}",
                };
        }
    }

    private static RolloutProgress Promoted(
        int stepIndex, DateTimeOffset now, string reason, ImmutableArray<RolloutAction>.Builder actions, string? evidence)
    {
        reason = Join(reason, evidence);
        actions.Add(new RolloutAction(RolloutActionKind.PromoteCanary, Message: reason));
        return new RolloutProgress { Status = RolloutStatus.Promoted, StepIndex = stepIndex, UpdatedAt = now, Reason = reason };
    }

    private static RolloutProgress Aborted(RolloutProgress state, DateTimeOffset now, string reason, ImmutableArray<RolloutAction>.Builder actions)
    {
        actions.Add(new RolloutAction(RolloutActionKind.SetWeight, 0));
        actions.Add(new RolloutAction(RolloutActionKind.RecordRollback, Message: reason));
        actions.Add(new RolloutAction(RolloutActionKind.SendAlert, Message: reason));
        return new RolloutProgress { Status = RolloutStatus.Aborted, StepIndex = state.StepIndex, UpdatedAt = now, Reason = reason };
    }

    /// <summary>The transition to the progress <paramref name="next"/> returns, with the actions it added on the way.</summary>
    private static RolloutTransition Transition(Func<ImmutableArray<RolloutAction>.Builder, RolloutProgress> next)
    {
        var actions = ImmutableArray.CreateBuilder<RolloutAction>();
        return new RolloutTransition(next(actions), actions.ToImmutable());
    }

    /// <summary>An operator's promote or abort: refused once the rollout is promoted or aborted (<paramref name="refusalHint"/> ends the message).</summary>
    private static StoreResult<RolloutTransition> EndByOperator(
        RolloutProgress state, string refusalHint, Func<ImmutableArray<RolloutAction>.Builder, RolloutProgress> end)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Status is RolloutStatus.Promoted or RolloutStatus.Aborted
            ? StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState, $"the rollout is already {Describe(state)}{refusalHint}")
            : Transition(end);
    }

    private static string OperatorReason(string reason, string otherwise) => string.IsNullOrWhiteSpace(reason) ? otherwise : reason;

    private static string Join(string? first, string? second) =>
        string.IsNullOrEmpty(first) ? second ?? "" : string.IsNullOrEmpty(second) ? first : first + "; " + second;

    private static RolloutTransition Unchanged(RolloutProgress state) => new(state, []) { Changed = false };

    private static string Describe(RolloutProgress state) =>
        string.Create(CultureInfo.InvariantCulture, $"{state.Status} at step {state.StepIndex + 1}");

    /// <summary>What the controller needs of a step that judges the canary (an analysis or an experiment).</summary>
    private sealed record Judging(string Name, TimeSpan Interval, int RequiredPasses, TimeSpan? MaxWait, bool KeepsEvidence)
    {
        public static Judging? Of(RolloutStep step) => step switch
        {
            AnalysisStep a => new Judging("canary analysis", a.Interval, a.RequiredPasses, a.MaxWait, KeepsEvidence: false),
            ExperimentStep e => new Judging("experiment", e.Interval, 1, e.MaxWait, KeepsEvidence: true),
            _ => null,
        };
    }
}
