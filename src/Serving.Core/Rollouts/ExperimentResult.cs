namespace Serving.Core.Rollouts;

/// <summary>
/// The numbers of one look at an <see cref="ExperimentStep"/>: each arm's mean and size, the improvement of the
/// canary over stable (positive is better, whatever the metric's direction) with its always-valid interval and
/// p-value, and the decision. Shown in rollout status and carried into the audit entry of the promotion or abort.
/// </summary>
internal sealed record ExperimentResult
{
    /// <summary>The metric's JSON name.</summary>
    public required string Metric { get; init; }

    /// <summary><c>pass</c>, <c>fail</c> or <c>wait</c>.</summary>
    public required AnalysisVerdict Decision { get; init; }

    /// <summary>Observations in the stable (control) arm.</summary>
    public long StableCount { get; init; }

    /// <summary>Observations in the canary (treatment) arm.</summary>
    public long CanaryCount { get; init; }

    /// <summary>The metric's mean on stable; NaN when empty.</summary>
    public double StableMean { get; init; }

    /// <summary>The metric's mean on the canary; NaN when empty.</summary>
    public double CanaryMean { get; init; }

    /// <summary>The canary's improvement over stable in the metric's units (canary − stable, or stable − canary when lower is better).</summary>
    public double Effect { get; init; }

    /// <summary>Lower bound of the always-valid (1 − α) interval of the improvement; NaN before the test can judge.</summary>
    public double Lower { get; init; }

    /// <summary>Upper bound of that interval.</summary>
    public double Upper { get; init; }

    /// <summary>The always-valid p-value of "no difference" at this look.</summary>
    public double PValue { get; init; }

    /// <summary>α of the test.</summary>
    public double Alpha { get; init; }

    /// <summary>The non-inferiority margin.</summary>
    public double NonInferiorityMargin { get; init; }

    /// <summary>Whether a larger metric is better.</summary>
    public bool HigherIsBetter { get; init; }
}
