namespace Serving.Core.Outcomes;

/// <summary>
/// Confidence-based performance estimation (CBPE, as NannyML's <c>CBPE</c> estimator): the accuracy and
/// AUC a binary classifier is expected to have on a window, computed from its predicted probabilities alone,
/// before any label arrives.
/// <para>
/// <b>Assumption: the probabilities are calibrated</b> on the live traffic, P(y = 1 | p) = p, and the relation
/// between inputs and labels has not changed (no concept drift). Then each prediction is a Bernoulli(p)
/// label in expectation: at threshold t it is correct with probability p when p ≥ t and 1 − p otherwise, and
/// it adds p to the expected positives and 1 − p to the expected negatives. Under covariate shift alone
/// the estimate follows the real performance; under concept drift it does not — which is why it is shown
/// beside the realised value once labels arrive, and a gap between the two is itself a signal.
/// A miscalibrated model (an overconfident one) makes the estimate optimistic.
/// </para>
/// <para>
/// Expected AUC follows NannyML: the expected confusion matrix at every threshold (TP(t) = Σ_{p ≥ t} p,
/// FP(t) = Σ_{p ≥ t} (1 − p)), the ROC curve TPR = TP/Σp, FPR = FP/Σ(1 − p), and its area by the
/// trapezoidal rule. Equivalently, a Mann–Whitney AUC in which prediction i counts as positive with weight
/// pᵢ and as negative with weight 1 − pᵢ (pairs of equal probability, including i with itself, count one half).
/// </para>
/// </summary>
internal static class ConfidenceBasedPerformance
{
    /// <summary>The expected accuracy at <paramref name="threshold"/>: mean of (p ≥ t ? p : 1 − p). NaN when empty.</summary>
    public static double ExpectedAccuracy(ReadOnlySpan<double> probabilities, double threshold)
    {
        double sum = 0.0;
        foreach (double p in probabilities)
        {
            sum += p >= threshold ? p : 1.0 - p;
        }

        return probabilities.Length == 0 ? double.NaN : sum / probabilities.Length;
    }

    /// <summary>The expected AUC. NaN when every probability is 0 or every probability is 1 (one class expected).</summary>
    public static double ExpectedAuc(ReadOnlySpan<double> probabilities)
    {
        double[] sorted = probabilities.ToArray();
        Array.Sort(sorted);
        double positiveWeight = 0.0;
        double negativeWeight = 0.0;
        double pairs = 0.0;
        int start = 0;
        while (start < sorted.Length)
        {
            int end = start;
            double groupPositive = 0.0;
            double groupNegative = 0.0;
            while (end < sorted.Length && sorted[end] == sorted[start])
            {
                groupPositive += sorted[end];
                groupNegative += 1.0 - sorted[end];
                end++;
            }

            // Positives in this group outrank the negatives of every lower group and tie with their own.
            pairs += groupPositive * (negativeWeight + 0.5 * groupNegative);
            positiveWeight += groupPositive;
            negativeWeight += groupNegative;
            start = end;
        }

        return pairs / (positiveWeight * negativeWeight);
    }
}
