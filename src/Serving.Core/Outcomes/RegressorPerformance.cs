namespace Serving.Core.Outcomes;

/// <summary>
/// How far a regressor's predictions were from the ground truth on a window of labelled predictions.
/// </summary>
/// <param name="Count">Labelled predictions in the window.</param>
/// <param name="MeanAbsoluteError">Mean of |ŷ − y| with its 95 % normal interval.</param>
/// <param name="RootMeanSquaredError">
/// √(mean of (ŷ − y)²). Its standard error comes from the delta method, SE(RMSE) = SE(MSE) / (2 · RMSE),
/// where SE(MSE) is the standard error of the mean of the squared errors; the interval is RMSE ± 1.96 · SE
/// with the lower bound clipped at 0.
/// </param>
internal sealed record RegressorPerformance(int Count, IntervalEstimate MeanAbsoluteError, IntervalEstimate RootMeanSquaredError)
{
    /// <summary>Computes MAE and RMSE of one window.</summary>
    /// <exception cref="ArgumentException">The two spans have different lengths.</exception>
    public static RegressorPerformance Compute(ReadOnlySpan<double> predictions, ReadOnlySpan<double> labels)
    {
        if (predictions.Length != labels.Length)
        {
            throw new ArgumentException("Predictions and labels must have the same length.");
        }

        var absolute = new SampleMoments();
        var squared = new SampleMoments();
        for (int i = 0; i < predictions.Length; i++)
        {
            double error = predictions[i] - labels[i];
            absolute.Add(Math.Abs(error));
            squared.Add(error * error);
        }

        double rmse = Math.Sqrt(squared.Mean);
        return new RegressorPerformance(
            predictions.Length,
            absolute.MeanInterval,
            IntervalEstimate.NormalWithin(rmse, squared.StandardError / (2.0 * rmse), 0.0, double.PositiveInfinity));
    }
}
