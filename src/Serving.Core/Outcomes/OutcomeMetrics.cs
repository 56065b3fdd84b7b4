namespace Serving.Core.Outcomes;

/// <summary>Names, directions and per-prediction values of the <see cref="OutcomeMetric"/>s.</summary>
internal static class OutcomeMetrics
{
    /// <summary>Every metric's JSON name, in the order the validator lists them.</summary>
    public static readonly string[] Names = ["log_loss", "brier", "accuracy", "error", "value"];

    /// <summary>Parses a JSON name (exact, lower-case).</summary>
    public static bool TryParse(string? name, out OutcomeMetric metric)
    {
        int index = name is null ? -1 : Array.IndexOf(Names, name);
        metric = (OutcomeMetric)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The JSON name.</summary>
    public static string Name(OutcomeMetric metric) => Names[(int)metric];

    /// <summary>Whether a larger mean is better (accuracy, value) rather than worse (losses, errors).</summary>
    public static bool HigherIsBetter(OutcomeMetric metric) => metric is OutcomeMetric.Accuracy or OutcomeMetric.Value;

    /// <summary>
    /// The metric's value for one labelled prediction, or false when it has none (no business value reported;
    /// a probability outside [0, 1] or a label other than 0/1 for the classifier metrics; a non-finite number).
    /// </summary>
    /// <param name="metric">The metric.</param>
    /// <param name="prediction">The joined prediction.</param>
    /// <param name="threshold">The decision threshold for <see cref="OutcomeMetric.Accuracy"/>: class 1 when p ≥ threshold.</param>
    /// <param name="value">The value.</param>
    public static bool TryGetValue(OutcomeMetric metric, LabelledPrediction prediction, double threshold, out double value)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        double p = prediction.Score;
        double y = prediction.Label;
        bool classified = p is >= 0.0 and <= 1.0 && y is 0.0 or 1.0;
        value = metric switch
        {
            OutcomeMetric.LogLoss when classified => y == 1.0
                ? -Math.Log(Math.Clamp(p, ClassifierPerformance.ProbabilityClip, 1.0 - ClassifierPerformance.ProbabilityClip))
                : -Math.Log(1.0 - Math.Clamp(p, ClassifierPerformance.ProbabilityClip, 1.0 - ClassifierPerformance.ProbabilityClip)),
            OutcomeMetric.Brier when classified => (p - y) * (p - y),
            OutcomeMetric.Accuracy when classified => (p >= threshold) == (y == 1.0) ? 1.0 : 0.0,
            OutcomeMetric.Error => Math.Abs(p - y),
            OutcomeMetric.Value => prediction.Value ?? double.NaN,
            _ => double.NaN,
        };
        return double.IsFinite(value);
    }
}
