namespace Serving.Gateway.Outcomes;

/// <summary>What the prediction log keeps of one answered request (or one row of a multi-row request), keyed by model and id.</summary>
/// <param name="Model">The model the request named.</param>
/// <param name="Version">The version that answered.</param>
/// <param name="Variant">The rollout variant that answered.</param>
/// <param name="RequestId">The id of the response; a row of a multi-row request is <c>{id}/{row}</c>.</param>
/// <param name="Score">The configured output element (a class-1 probability or a predicted value).</param>
/// <param name="PredictedAt">When the gateway answered.</param>
internal sealed record LoggedPrediction(string Model, string Version, string Variant, string RequestId, double Score, DateTimeOffset PredictedAt);
