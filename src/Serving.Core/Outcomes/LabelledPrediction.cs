namespace Serving.Core.Outcomes;

/// <summary>
/// One prediction the gateway served, joined with the ground truth an application reported for it later through
/// the feedback API (<c>POST /v2/models/{model}/feedback</c>). The unit every outcome consumer works on: online
/// performance windows, the concept-drift detector and rollout experiments.
/// </summary>
/// <param name="Model">The model the request named.</param>
/// <param name="Version">The concrete version that answered (never an alias).</param>
/// <param name="Variant">The rollout variant that answered (<see cref="Rollouts.VariantNames"/>; <c>default</c> without a rollout).</param>
/// <param name="RequestId">The request id the response carried (the request's <c>id</c> or one the gateway assigned).</param>
/// <param name="Score">For a classifier the predicted probability of class 1; for a regressor the predicted value.</param>
/// <param name="Label">The ground truth: 0 or 1 for a classifier, the observed value for a regressor.</param>
/// <param name="Value">An optional business outcome reported with the label (revenue, conversion, …).</param>
/// <param name="PredictedAt">When the gateway answered.</param>
/// <param name="LabelledAt">When the feedback arrived.</param>
internal sealed record LabelledPrediction(
    string Model,
    string Version,
    string Variant,
    string RequestId,
    double Score,
    double Label,
    double? Value,
    DateTimeOffset PredictedAt,
    DateTimeOffset LabelledAt);
