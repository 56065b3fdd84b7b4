namespace Serving.Core.Outcomes;

/// <summary>
/// A per-prediction outcome that an experiment compares between arms (its mean over an arm is the arm's
/// metric). JSON names: <c>log_loss</c>, <c>brier</c>, <c>accuracy</c>, <c>error</c>, <c>value</c>.
/// </summary>
internal enum OutcomeMetric
{
    /// <summary>−[y ln p + (1 − y) ln(1 − p)] of a classifier's probability (lower is better).</summary>
    LogLoss,

    /// <summary>(p − y)² of a classifier's probability (lower is better).</summary>
    Brier,

    /// <summary>1 when the class predicted at the decision threshold is the label, else 0 (higher is better).</summary>
    Accuracy,

    /// <summary>|ŷ − y|, the absolute error of a regressor (lower is better); its mean is the MAE.</summary>
    Error,

    /// <summary>The business value reported with the label (revenue, conversion; higher is better); predictions without one are skipped.</summary>
    Value,
}
