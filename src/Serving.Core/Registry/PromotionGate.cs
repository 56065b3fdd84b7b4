using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Serving.Core.Registry;

/// <summary>
/// The validation gate of promotions: a candidate may not be worse than the current Production version
/// by more than an absolute tolerance on any metric both report.
/// </summary>
/// <remarks>
/// Higher is better, except for metric names ending in <c>loss</c> or <c>error</c> (case-insensitive),
/// where lower is better. Metrics only one side reports are not compared. "Beyond the tolerance" is
/// strict, with 1e-9 of slack so that 0.781 → 0.771 with tolerance 0.01 passes despite binary rounding.
/// </remarks>
internal static class PromotionGate
{
    private const double Slack = 1e-9;

    /// <summary>Whether lower values of the metric are better.</summary>
    public static bool IsLowerBetter(string metric) =>
        metric.EndsWith("loss", StringComparison.OrdinalIgnoreCase) ||
        metric.EndsWith("error", StringComparison.OrdinalIgnoreCase);

    /// <summary>The metrics on which <paramref name="candidate"/> regresses against <paramref name="production"/>.</summary>
    public static ImmutableArray<MetricRegression> Evaluate(
        ImmutableSortedDictionary<string, double> candidate,
        ImmutableSortedDictionary<string, double> production,
        double tolerance)
    {
        var regressions = ImmutableArray.CreateBuilder<MetricRegression>();
        foreach (var (name, candidateValue) in candidate)
        {
            if (!production.TryGetValue(name, out var productionValue))
            {
                continue;
            }

            var regression = new MetricRegression(name, candidateValue, productionValue, IsLowerBetter(name));
            if (regression.Worsening > tolerance + Slack)
            {
                regressions.Add(regression);
            }
        }

        return regressions.ToImmutable();
    }

    /// <summary>Describes the regressions with their numbers, for the refusal message.</summary>
    public static string Describe(ImmutableArray<MetricRegression> regressions, double tolerance)
    {
        var text = new StringBuilder();
        foreach (var r in regressions)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(CultureInfo.InvariantCulture,
                $"{r.Metric} {r.Candidate:0.######} vs production {r.Production:0.######} ({(r.LowerIsBetter ? "lower" : "higher")} is better, worse by {r.Worsening:0.######} > tolerance {tolerance:0.######})");
        }

        return text.ToString();
    }
}
