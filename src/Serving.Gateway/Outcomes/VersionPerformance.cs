namespace Serving.Gateway.Outcomes;

/// <summary>The windows of one version and variant of a model.</summary>
/// <param name="Version">The version that answered.</param>
/// <param name="Variant">The rollout variant (<c>default</c> without a rollout).</param>
/// <param name="Labelled">Labelled predictions in the window.</param>
/// <param name="Predictions">Predictions (labelled or not) in the label-free window.</param>
/// <param name="TotalLabelled">Labelled predictions seen since the process started.</param>
/// <param name="Metrics">The metrics of the window.</param>
internal sealed record VersionPerformance(
    string Version, string Variant, int Labelled, int Predictions, long TotalLabelled, IReadOnlyList<PerformanceMetric> Metrics);
