using System.Text.Json.Serialization;
using Serving.Core.Outcomes;

namespace Serving.Core.Rollouts;

/// <summary>
/// Holds the current weight while canary and stable are compared on a labelled metric or the business value
/// (outcomes joined through the feedback API) with an always-valid sequential test (<see cref="SequentialTest"/>),
/// looked at every <see cref="Interval"/>: a significant improvement (or, with a margin, significant
/// non-inferiority) goes on, significant harm aborts the rollout, anything else keeps waiting — at most
/// <see cref="MaxWait"/>, and until both arms hold <see cref="MaxSamplesPerArm"/> observations, after which the
/// inconclusive experiment aborts too. Only predictions made since the step began count.
/// </summary>
internal sealed record ExperimentStep : RolloutStep
{
    // Defaults live in the constructor (see AnalysisStep: the source generator overrides property initializers).

    /// <summary>Creates the step; the object initializer sets the required properties.</summary>
    [JsonConstructor]
    public ExperimentStep(double alpha = 0.05, double nonInferiorityMargin = 0.0, long minimumPerArm = 100, double decisionThreshold = 0.5)
    {
        Alpha = alpha;
        NonInferiorityMargin = nonInferiorityMargin;
        MinimumPerArm = minimumPerArm;
        DecisionThreshold = decisionThreshold;
    }

    /// <summary>The compared metric: <c>log_loss</c>, <c>brier</c>, <c>accuracy</c>, <c>error</c> or <c>value</c> (<see cref="OutcomeMetrics.Names"/>).</summary>
    public required string Metric { get; init; }

    /// <summary>τ of the mSPRT mixture, in the metric's units: the effect size the test is most sensitive to. Required.</summary>
    public double MixtureStandardDeviation { get; init; }

    /// <summary>The error probability over every look. Default 0.05.</summary>
    public double Alpha { get; init; }

    /// <summary>How much worse than stable (in the metric's units, ≥ 0) still passes. Default 0: a significant improvement is needed.</summary>
    public double NonInferiorityMargin { get; init; }

    /// <summary>Observations each arm needs before any decision. Default 100.</summary>
    public long MinimumPerArm { get; init; }

    /// <summary>The class-1 threshold of <c>accuracy</c>. Default 0.5.</summary>
    public double DecisionThreshold { get; init; }

    /// <summary>Time between looks. JSON: <c>interval_seconds</c>, required.</summary>
    [JsonPropertyName("interval_seconds")]
    [JsonConverter(typeof(SecondsConverter))]
    public required TimeSpan Interval { get; init; }

    /// <summary>How long the step may stay inconclusive before the rollout aborts; null waits for ever. JSON: <c>max_wait_seconds</c>.</summary>
    [JsonPropertyName("max_wait_seconds")]
    [JsonConverter(typeof(NullableSecondsConverter))]
    public TimeSpan? MaxWait { get; init; }

    /// <summary>When both arms hold this many observations and the test is still inconclusive the rollout aborts; null: no limit.</summary>
    public long? MaxSamplesPerArm { get; init; }

    /// <summary>The test's options for this step's metric.</summary>
    [JsonIgnore]
    public SequentialTestOptions TestOptions => new()
    {
        MixtureStandardDeviation = MixtureStandardDeviation,
        Alpha = Alpha,
        NonInferiorityMargin = NonInferiorityMargin,
        HigherIsBetter = !OutcomeMetrics.TryParse(Metric, out var metric) || OutcomeMetrics.HigherIsBetter(metric),
        MinimumPerArm = MinimumPerArm,
    };
}
