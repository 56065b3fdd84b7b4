using System.Globalization;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Experiments;

/// <summary>
/// Feeds rollout experiments from the feedback stream: a labelled prediction of a model whose rollout is at an
/// <see cref="ExperimentStep"/>, made since the step began by the stable or canary version of the policy, adds
/// the step's metric value to its arm in the <see cref="IExperimentArmStore"/>. Everything else is ignored.
/// Runs on the feedback request's thread; looks up the policy in the rollout table (no I/O) and hands the value
/// to the store without waiting.
/// </summary>
internal sealed class ExperimentObserver(IRolloutPolicies rollouts, IExperimentArmStore store) : ILabelledPredictionObserver
{
    /// <inheritdoc />
    public void Observe(LabelledPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!rollouts.TryGetPolicy(prediction.Model, out RolloutPolicy? policy)
            || Arm(policy, prediction) is not { } target)
        {
            return;
        }

        if (OutcomeMetrics.TryParse(target.Step.Metric, out OutcomeMetric metric)
            && OutcomeMetrics.TryGetValue(metric, prediction, target.Step.DecisionThreshold, out double value))
        {
            store.Add(prediction.Model, target.Key, target.Arm, value);
        }
    }

    /// <summary>The running experiment and arm a labelled prediction belongs to, or null.</summary>
    internal static (ExperimentStep Step, string Key, string Arm)? Arm(RolloutPolicy policy, LabelledPrediction prediction)
    {
        if (policy is not { Plan: { } plan, Progress: { Status: RolloutStatus.Analyzing, StepStartedAt: { } started } progress, Canary: { } canary }
            || progress.StepIndex >= plan.Steps.Length
            || plan.Steps[progress.StepIndex] is not ExperimentStep step
            || prediction.PredictedAt < started)
        {
            return null;
        }

        string? arm = prediction.Variant switch
        {
            VariantNames.Stable when Same(prediction.Version, canary.StableVersion) => VariantNames.Stable,
            VariantNames.Canary when canary.CanaryVersion is { } v && Same(prediction.Version, v) => VariantNames.Canary,
            _ => null,
        };
        return arm is null ? null : (step, ExperimentKey.Of(progress), arm);
    }

    private static bool Same(string version, int number) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed == number;
}
