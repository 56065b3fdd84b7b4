using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// The state of a progressive rollout, stored inside its <see cref="RolloutPolicy"/> so that the weight
/// and the step move together in one compare-and-swap and every replica sees the same state.
/// </summary>
internal sealed record RolloutProgress
{
    /// <summary>A rollout that has not started.</summary>
    public static RolloutProgress NotStarted { get; } = new();

    /// <summary>The state.</summary>
    public RolloutStatus Status { get; init; }

    /// <summary>The index of the current step in <see cref="RolloutPlan.Steps"/>.</summary>
    public int StepIndex { get; init; }

    /// <summary>When the current pause or analysis step began.</summary>
    public DateTimeOffset? StepStartedAt { get; init; }

    /// <summary>When a timed pause ends; null while paused until resumed.</summary>
    public DateTimeOffset? PauseUntil { get; init; }

    /// <summary>When the next analysis is due (<see cref="RolloutController.IsAnalysisDue"/>).</summary>
    public DateTimeOffset? NextAnalysisAt { get; init; }

    /// <summary>Consecutive passing analyses at the current step.</summary>
    public int ConsecutivePasses { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The last analysis result, or why the rollout was promoted or aborted, with its numbers.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Set when an operator paused the rollout in the middle of a step (<see cref="RolloutController.Pause"/>
    /// while progressing or analyzing): resuming re-enters that step, so an interrupted analysis starts
    /// over on a fresh window instead of being skipped. Written to JSON only when set.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PausedByOperator { get; init; }

    /// <summary>
    /// The numbers of the experiment steps passed so far in this run of the plan, carried on to the promotion
    /// (its reason, and so its audit entry). Null until one passed.
    /// </summary>
    public string? Evidence { get; init; }

    /// <summary>Whether the rollout is under way (neither not started nor finished).</summary>
    [JsonIgnore]
    public bool IsActive => Status is RolloutStatus.Progressing or RolloutStatus.Paused or RolloutStatus.Analyzing;
}
