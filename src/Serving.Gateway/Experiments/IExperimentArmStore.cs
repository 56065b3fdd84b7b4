using Serving.Core.Outcomes;

namespace Serving.Gateway.Experiments;

/// <summary>
/// Where the arms of a running rollout experiment accumulate: per arm the count, sum and sum of squares of the
/// metric, added by whichever replica received the feedback and read by whichever replica's rollout loop looks
/// at the experiment. In Redis when <c>Serving:Redis</c> is set (a hash per experiment, HINCRBYFLOAT, so every
/// replica adds to and reads the same numbers); in this process otherwise (one replica, whose prediction log
/// joins all the feedback anyway).
/// </summary>
internal interface IExperimentArmStore
{
    /// <summary>Adds one metric value to an arm. Never blocks and never throws (a failed write is logged and lost).</summary>
    /// <param name="model">The model whose rollout runs the experiment.</param>
    /// <param name="experiment">The experiment's identity (<see cref="ExperimentKey"/>): a new step run starts from zero.</param>
    /// <param name="arm"><c>stable</c> or <c>canary</c>.</param>
    /// <param name="value">The metric's value for one labelled prediction.</param>
    void Add(string model, string experiment, string arm, double value);

    /// <summary>The arms' summaries so far: (stable, canary); empty summaries when nothing arrived (or the store cannot be read).</summary>
    Task<(SampleMoments Stable, SampleMoments Canary)> ReadAsync(string model, string experiment, CancellationToken cancellationToken);
}
