namespace Serving.Gateway.Outcomes;

/// <summary>
/// One metric of a window in <c>GET /admin/performance/{model}</c>: the realised value with its 95 % interval, the
/// version's offline value from its metadata and the label-free estimate, each null when unknown.
/// </summary>
/// <param name="Name">auc, log_loss, brier, accuracy, calibration_error, mae or rmse (the names of metadata.json's <c>metrics</c>).</param>
/// <param name="Value">On the labelled window; null when undefined (AUC of a window with one class).</param>
/// <param name="Lower">Lower end of the 95 % interval.</param>
/// <param name="Upper">Upper end of the 95 % interval.</param>
/// <param name="Offline">The version's offline value (metadata.json <c>metrics</c>).</param>
/// <param name="Estimated">The label-free estimate (CBPE) on the recent predictions: accuracy and AUC of classifiers.</param>
internal sealed record PerformanceMetric(string Name, double? Value, double? Lower, double? Upper, double? Offline, double? Estimated);
