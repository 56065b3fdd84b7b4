using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>One step of a <see cref="RolloutPlan"/>. In JSON the <c>type</c> property says which.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SetWeightStep), "set_weight")]
[JsonDerivedType(typeof(PauseStep), "pause")]
[JsonDerivedType(typeof(AnalysisStep), "analysis")]
[JsonDerivedType(typeof(ExperimentStep), "experiment")]
internal abstract record RolloutStep
{
    /// <summary>Sets the canary weight and goes straight on to the next step.</summary>
    public static SetWeightStep SetWeight(double weight) => new() { Weight = weight };

    /// <summary>Waits <paramref name="duration"/>, then goes on.</summary>
    public static PauseStep Pause(TimeSpan duration) => new() { Duration = duration };

    /// <summary>Waits until an operator resumes the rollout.</summary>
    public static PauseStep Pause() => new();

    /// <summary>Compares canary with stable every <paramref name="interval"/> until the thresholds pass (go on) or fail (abort).</summary>
    public static AnalysisStep Analysis(AnalysisThresholds thresholds, TimeSpan interval) =>
        new() { Thresholds = thresholds, Interval = interval };

    /// <summary>Compares canary with stable on an outcome <paramref name="metric"/> with an always-valid test, looking every <paramref name="interval"/>.</summary>
    public static ExperimentStep Experiment(string metric, double mixtureStandardDeviation, TimeSpan interval) =>
        new() { Metric = metric, MixtureStandardDeviation = mixtureStandardDeviation, Interval = interval };
}
