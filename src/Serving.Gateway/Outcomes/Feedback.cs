namespace Serving.Gateway.Outcomes;

/// <summary>One element of a feedback body: <c>{"id": "...", "label": 1, "value": 12.5}</c>.</summary>
/// <param name="RequestId">The id the inference response carried.</param>
/// <param name="Label">The ground truth: 0 or 1 (or false/true) for a classifier, a number for a regressor.</param>
/// <param name="Value">An optional business outcome (revenue, conversion, …).</param>
internal sealed record Feedback(string RequestId, double Label, double? Value);
