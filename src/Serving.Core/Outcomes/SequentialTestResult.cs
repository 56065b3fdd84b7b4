namespace Serving.Core.Outcomes;

/// <summary>One look at an experiment: the decision and the numbers behind it, oriented so that a positive effect is an improvement.</summary>
/// <param name="Decision">Pass, fail or wait.</param>
/// <param name="Effect">The estimated improvement of treatment over control (treatment − control, or control − treatment when lower is better).</param>
/// <param name="Lower">Lower bound of the always-valid (1 − α) confidence interval of the improvement.</param>
/// <param name="Upper">Upper bound of that interval.</param>
/// <param name="PValue">The always-valid p-value of "no difference" at this look, min(1, 1/Λ); a caller that keeps the running minimum over looks gets the sequential p-value of Johari et al.</param>
/// <param name="ControlCount">Observations in the control arm.</param>
/// <param name="TreatmentCount">Observations in the treatment arm.</param>
internal readonly record struct SequentialTestResult(
    ExperimentDecision Decision,
    double Effect,
    double Lower,
    double Upper,
    double PValue,
    long ControlCount,
    long TreatmentCount);
