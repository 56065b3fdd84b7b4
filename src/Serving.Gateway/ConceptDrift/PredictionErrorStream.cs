namespace Serving.Gateway.ConceptDrift;

/// <summary>
/// Turns one version's labelled predictions into errors in [0, 1], the stream the Page–Hinkley detector watches.
/// A classifier (its first label 0 or 1 and its score a probability) errs with 1 when the class predicted at the
/// decision threshold is not the label, else 0. A regressor's error is its absolute error normalised by four times
/// the mean absolute error of its first <see cref="ConceptDriftOptions.RegressorScaleObservations"/> labelled
/// predictions (which only set that scale), clipped at 1: a stable model then errs about 0.2 on average and a
/// doubling of its MAE moves the mean by about as much, so the detector's defaults, made for 0/1 errors, fit.
/// Not thread-safe (the caller locks).
/// </summary>
internal sealed class PredictionErrorStream(double decisionThreshold, int scaleObservations)
{
    private bool? _classifier;
    private long _scaleCount;
    private double _scaleSum;
    private double _scale = double.NaN;

    /// <summary>Whether the version is judged as a classifier (decided by its first labelled prediction); null before it.</summary>
    public bool? Classifier => _classifier;

    /// <summary>The regressor's error scale (4 × its initial MAE); NaN for a classifier or while it is being learned.</summary>
    public double Scale => _scale;

    /// <summary>The error of one labelled prediction, or false while a regressor's scale is being learned (or the numbers are not finite).</summary>
    public bool TryGetError(double score, double label, out double error)
    {
        error = double.NaN;
        if (!double.IsFinite(score) || !double.IsFinite(label))
        {
            return false;
        }

        _classifier ??= label is 0.0 or 1.0 && score is >= 0.0 and <= 1.0;
        if (_classifier.Value)
        {
            error = (score >= decisionThreshold) == (label >= 0.5) ? 0.0 : 1.0;
            return true;
        }

        double absolute = Math.Abs(score - label);
        if (double.IsNaN(_scale))
        {
            _scaleSum += absolute;
            if (++_scaleCount >= scaleObservations)
            {
                // A perfect start (MAE 0) would make every later error 1: keep a floor.
                _scale = Math.Max(4.0 * _scaleSum / _scaleCount, 1e-12);
            }

            return false;
        }

        error = Math.Min(1.0, absolute / _scale);
        return true;
    }
}
