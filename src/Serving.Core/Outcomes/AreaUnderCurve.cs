namespace Serving.Core.Outcomes;

/// <summary>
/// The area under the ROC curve with DeLong's standard error.
/// <para>
/// AUC is the Mann–Whitney statistic U / (n₁ n₀): the probability that a random positive scores above a
/// random negative, ties counting one half. It is computed by the rank formula
/// AUC = (Σ R(positive) − n₁(n₁ + 1)/2) / (n₁ n₀) with midranks R over all scores.
/// </para>
/// <para>
/// Variance: DeLong, DeLong &amp; Clarke-Pearson (1988), "Comparing the areas under two or more correlated
/// receiver operating characteristic curves: a nonparametric approach", Biometrics 44(3):837–845, with the
/// midrank form of Sun &amp; Xu (2014), IEEE Signal Processing Letters 21(11). Structural components:
/// V₁₀(xᵢ) = (R(xᵢ) − R₁(xᵢ)) / n₀ for each positive and V₀₁(yⱼ) = 1 − (R(yⱼ) − R₀(yⱼ)) / n₁ for each
/// negative, where R₁, R₀ are midranks within the positives and negatives; then
/// Var(AUC) = S₁₀ / n₁ + S₀₁ / n₀ with S the unbiased sample variances of the components.
/// The 95 % interval is AUC ± 1.96 · SE clipped to [0, 1].
/// </para>
/// </summary>
internal static class AreaUnderCurve
{
    /// <summary>AUC with DeLong's interval. NaN when either class is absent; NaN bounds with fewer than two of either.</summary>
    /// <param name="scores">The predicted probability (or any score) of the positive class.</param>
    /// <param name="labels">The ground truth, 1 for positive and 0 for negative; same length as <paramref name="scores"/>.</param>
    public static IntervalEstimate Compute(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        int positives = 0;
        foreach (int label in labels)
        {
            positives += label;
        }

        int negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return new IntervalEstimate(double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var positiveScores = new double[positives];
        var negativeScores = new double[negatives];
        int p = 0;
        int q = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i] == 1)
            {
                positiveScores[p++] = scores[i];
            }
            else
            {
                negativeScores[q++] = scores[i];
            }
        }

        double[] overall = Midranks.Compute(scores);
        double[] withinPositives = Midranks.Compute(positiveScores);
        double[] withinNegatives = Midranks.Compute(negativeScores);

        var positiveComponents = new SampleMoments();
        var negativeComponents = new SampleMoments();
        p = 0;
        q = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i] == 1)
            {
                positiveComponents.Add((overall[i] - withinPositives[p++]) / negatives);
            }
            else
            {
                negativeComponents.Add(1.0 - (overall[i] - withinNegatives[q++]) / positives);
            }
        }

        // The mean of the positive components is exactly the Mann–Whitney AUC.
        double auc = positiveComponents.Mean;
        double variance = positiveComponents.Variance / positives + negativeComponents.Variance / negatives;
        return IntervalEstimate.NormalWithin(auc, Math.Sqrt(variance), 0.0, 1.0);
    }
}
