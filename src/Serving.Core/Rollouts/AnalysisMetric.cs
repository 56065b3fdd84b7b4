namespace Serving.Core.Rollouts;

/// <summary>One check of a canary analysis with its numbers.</summary>
/// <param name="Name">The check: <c>error_rate_increase</c>, <c>error_rate_ratio</c>, <c>latency_p99_ratio</c>, <c>prediction_psi</c>, <c>prediction_ks_statistic</c>, <c>prediction_ks_p_value</c>, <c>shadow_agreement</c>.</param>
/// <param name="Stable">The stable cohort's input to the check (error rate, p99 seconds); NaN when not applicable.</param>
/// <param name="Canary">The canary cohort's input to the check; NaN when not applicable.</param>
/// <param name="Observed">The compared value.</param>
/// <param name="Limit">The threshold it is compared with.</param>
/// <param name="Passed">Whether it is within the limit.</param>
/// <param name="Description">A human-readable line with the numbers.</param>
internal sealed record AnalysisMetric(string Name, double Stable, double Canary, double Observed, double Limit, bool Passed, string Description);
