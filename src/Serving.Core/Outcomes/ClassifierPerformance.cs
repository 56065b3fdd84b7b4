namespace Serving.Core.Outcomes;

/// <summary>
/// How well a binary classifier's predicted probabilities matched the ground truth on a window of labelled
/// predictions. Every mean comes with a 95 % normal-approximation interval over its per-prediction terms;
/// AUC with DeLong's interval (<see cref="AreaUnderCurve"/>).
/// </summary>
/// <param name="Count">Labelled predictions in the window.</param>
/// <param name="Positives">Of which labelled 1.</param>
/// <param name="Auc">Area under the ROC curve (Mann–Whitney, ties one half) with DeLong's interval.</param>
/// <param name="LogLoss">Mean of −[y ln p + (1 − y) ln(1 − p)], p clipped to [<see cref="ProbabilityClip"/>, 1 − <see cref="ProbabilityClip"/>].</param>
/// <param name="Brier">Brier score, mean of (p − y)² (Brier 1950, Monthly Weather Review 78(1)).</param>
/// <param name="Accuracy">Share of predictions with (p ≥ threshold) == (y == 1).</param>
/// <param name="CalibrationError">Expected calibration error over <see cref="CalibrationBins"/> equal-width bins.</param>
internal sealed record ClassifierPerformance(
    int Count,
    int Positives,
    IntervalEstimate Auc,
    IntervalEstimate LogLoss,
    IntervalEstimate Brier,
    IntervalEstimate Accuracy,
    double CalibrationError)
{
    /// <summary>Probabilities are clipped to [1e-15, 1 − 1e-15] before the logarithm, so one confident miss costs ≈ 34.5, not ∞.</summary>
    public const double ProbabilityClip = 1e-15;

    /// <summary>
    /// The number of equal-width probability bins of the expected calibration error
    /// (Naeini, Cooper &amp; Hauskrecht 2015, "Obtaining well calibrated probabilities using Bayesian binning", AAAI):
    /// ECE = Σ_b (n_b / n) · |mean(p in b) − mean(y in b)|, bin of p = min(⌊10 p⌋, 9), so bin 9 is [0.9, 1].
    /// </summary>
    public const int CalibrationBins = 10;

    /// <summary>Computes every metric of one window.</summary>
    /// <param name="probabilities">Predicted probability of class 1, each in [0, 1].</param>
    /// <param name="labels">Ground truth, each 0 or 1; same length.</param>
    /// <param name="threshold">The decision threshold: class 1 is predicted when p ≥ threshold.</param>
    /// <exception cref="ArgumentException">Lengths differ, a probability is outside [0, 1] or a label is not 0/1.</exception>
    public static ClassifierPerformance Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, double threshold)
    {
        Validate(probabilities, labels);
        var logLoss = new SampleMoments();
        var brier = new SampleMoments();
        var accuracy = new SampleMoments();
        Span<double> binProbability = stackalloc double[CalibrationBins];
        Span<double> binLabel = stackalloc double[CalibrationBins];
        int positives = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            int y = labels[i];
            positives += y;
            double clipped = Math.Clamp(p, ProbabilityClip, 1.0 - ProbabilityClip);
            logLoss.Add(y == 1 ? -Math.Log(clipped) : -Math.Log(1.0 - clipped));
            brier.Add((p - y) * (p - y));
            accuracy.Add((p >= threshold) == (y == 1) ? 1.0 : 0.0);
            int bin = Math.Min((int)Math.Floor(p * CalibrationBins), CalibrationBins - 1);
            binProbability[bin] += p;
            binLabel[bin] += y;
        }

        // Σ_b (n_b/n)·|Σp_b/n_b − Σy_b/n_b| = Σ_b |Σp_b − Σy_b| / n.
        double calibrationError = 0.0;
        for (int b = 0; b < CalibrationBins; b++)
        {
            calibrationError += Math.Abs(binProbability[b] - binLabel[b]);
        }

        return new ClassifierPerformance(
            probabilities.Length,
            positives,
            AreaUnderCurve.Compute(probabilities, labels),
            logLoss.MeanInterval,
            brier.MeanInterval,
            accuracy.MeanInterval,
            probabilities.Length == 0 ? double.NaN : calibrationError / probabilities.Length);
    }

    /// <summary>Checks that the pairs are well formed: equal lengths, probabilities in [0, 1], labels 0 or 1.</summary>
    /// <exception cref="ArgumentException">They are not.</exception>
    public static void Validate(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException("Probabilities and labels must have the same length.");
        }

        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0))
            {
                throw new ArgumentException($"Probability {probabilities[i]} at {i} is outside [0, 1].");
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} at {i} is not 0 or 1.");
            }
        }
    }
}
