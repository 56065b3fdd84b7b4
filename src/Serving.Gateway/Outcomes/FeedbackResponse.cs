namespace Serving.Gateway.Outcomes;

/// <summary>
/// The answer of <c>POST /v2/models/{model}/feedback</c>: how many were joined with their prediction, and the ids that
/// were not — never logged or no longer kept (unknown), logged longer ago than the horizon (expired), or labelled
/// before (duplicate).
/// </summary>
internal sealed record FeedbackResponse(int Joined, IReadOnlyList<string> Unknown, IReadOnlyList<string> Expired, IReadOnlyList<string> Duplicate);
