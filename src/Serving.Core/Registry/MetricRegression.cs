namespace Serving.Core.Registry;

/// <summary>A metric on which a promotion candidate is worse than Production by more than the tolerance.</summary>
/// <param name="Metric">The metric name.</param>
/// <param name="Candidate">The candidate's value.</param>
/// <param name="Production">The Production version's value.</param>
/// <param name="LowerIsBetter">Whether the metric is a loss or error (lower is better).</param>
internal sealed record MetricRegression(string Metric, double Candidate, double Production, bool LowerIsBetter)
{
    /// <summary>How much worse the candidate is (always positive for a regression).</summary>
    public double Worsening => LowerIsBetter ? Candidate - Production : Production - Candidate;
}
