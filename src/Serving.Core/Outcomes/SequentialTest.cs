namespace Serving.Core.Outcomes;

/// <summary>
/// An always-valid test of the difference of two means (a rate is the mean of 0/1 values): the mixture
/// sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis &amp; Walsh, "Always valid inference:
/// continuous monitoring of A/B tests", Operations Research 70(3):1806–1821 (2022; arXiv 1512.04922, 2015),
/// with a normal mixture and plug-in variances. Looking after every batch of observations does not inflate the
/// false-positive rate: P(the interval ever excludes the true effect) ≤ α over all looks together.
/// <para>
/// With θ̂ the observed improvement and V = s²_c / n_c + s²_t / n_t its variance, the mixture likelihood ratio of
/// θ = θ₀ against N(θ₀, τ²) alternatives is
/// Λ(θ₀) = √(V / (V + τ²)) · exp(τ² (θ̂ − θ₀)² / (2 V (V + τ²))). The always-valid interval is
/// {θ₀ : Λ(θ₀) &lt; 1/α} = θ̂ ± √(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V))).
/// </para>
/// <para>
/// Decision: <see cref="ExperimentDecision.Pass"/> when the lower bound exceeds −margin (a significant
/// improvement when the margin is 0); else <see cref="ExperimentDecision.Fail"/> when the upper bound is below 0
/// (significant harm); else <see cref="ExperimentDecision.Wait"/>. A rollout step stops at its first pass or fail.
/// Stateless: each look depends only on the arms' running summaries, so any replica can evaluate it.
/// </para>
/// </summary>
internal static class SequentialTest
{
    /// <summary>Evaluates the experiment on the arms' summaries so far.</summary>
    /// <param name="control">The metric's summary on the control (stable) arm.</param>
    /// <param name="treatment">The metric's summary on the treatment (canary) arm.</param>
    /// <param name="options">τ, α, margin and direction.</param>
    public static SequentialTestResult Evaluate(SampleMoments control, SampleMoments treatment, SequentialTestOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MixtureStandardDeviation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Alpha);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Alpha, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(options.NonInferiorityMargin);

        double effect = options.HigherIsBetter ? treatment.Mean - control.Mean : control.Mean - treatment.Mean;
        double variance = control.Variance / control.Count + treatment.Variance / treatment.Count;
        if (control.Count < options.MinimumPerArm || treatment.Count < options.MinimumPerArm || !(variance > 0.0))
        {
            // Too few observations, or no variation yet (a rate still at 0 in both arms): no evidence.
            return new SequentialTestResult(ExperimentDecision.Wait, effect, double.NaN, double.NaN, 1.0, control.Count, treatment.Count);
        }

        double tau2 = options.MixtureStandardDeviation * options.MixtureStandardDeviation;
        double logLikelihoodRatio = 0.5 * Math.Log(variance / (variance + tau2))
            + tau2 * effect * effect / (2.0 * variance * (variance + tau2));
        double pValue = Math.Min(1.0, Math.Exp(-logLikelihoodRatio));
        double halfWidth = Math.Sqrt(variance * (variance + tau2) / tau2
            * (2.0 * Math.Log(1.0 / options.Alpha) + Math.Log((variance + tau2) / variance)));
        double lower = effect - halfWidth;
        double upper = effect + halfWidth;

        ExperimentDecision decision = lower > -options.NonInferiorityMargin ? ExperimentDecision.Pass
            : upper < 0.0 ? ExperimentDecision.Fail
            : ExperimentDecision.Wait;
        return new SequentialTestResult(decision, effect, lower, upper, pValue, control.Count, treatment.Count);
    }
}
