namespace Serving.Gateway.Outcomes;

/// <summary>The body of <c>GET /admin/performance/{model}</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Kind">classifier or regressor.</param>
/// <param name="Threshold">A classifier's decision threshold (for accuracy); null for a regressor.</param>
/// <param name="Window">The window's capacity.</param>
/// <param name="Versions">One entry per version and variant that has logged or labelled predictions.</param>
internal sealed record ModelPerformance(string Model, string Kind, double? Threshold, int Window, IReadOnlyList<VersionPerformance> Versions);
