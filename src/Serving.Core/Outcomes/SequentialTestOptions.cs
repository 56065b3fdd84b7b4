namespace Serving.Core.Outcomes;

/// <summary>Parameters of the <see cref="SequentialTest"/>; all effects are in the units of the metric.</summary>
internal sealed record SequentialTestOptions
{
    /// <summary>
    /// τ, the standard deviation of the normal mixture over effects, N(0, τ²). The test has most power for
    /// effects of about this size; Johari et al. advise choosing it from the effects seen in past experiments.
    /// No default, because it depends on the metric: 0.02 suits a rate such as accuracy or conversion around
    /// 0.1 where a two-point change matters; a revenue metric needs a value in currency.
    /// </summary>
    public required double MixtureStandardDeviation { get; init; }

    /// <summary>α: the probability, over every look however often one looks, that the interval ever excludes the true effect. Default 0.05.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// The non-inferiority margin (≥ 0): the step passes when the treatment is significantly no worse than
    /// this much below the control. 0 (the default) asks for a significant improvement.
    /// </summary>
    public double NonInferiorityMargin { get; init; }

    /// <summary>True when a larger metric is better (accuracy, revenue); false for an error (log loss, MAE). Default true.</summary>
    public bool HigherIsBetter { get; init; } = true;

    /// <summary>Observations each arm needs before any decision, so the plug-in variances are meaningful. Default 100.</summary>
    public long MinimumPerArm { get; init; } = 100;
}
