using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Serving.Core.Drift;

namespace Serving.Core.Rollouts;

/// <summary>
/// Judges a canary cohort against the stable cohort over the same window: error rate, p99 latency,
/// prediction-distribution drift (PSI over stable's deciles, two-sample KS) and, when supplied, shadow
/// agreement. Pure; runs on the rollout loop (it sorts and allocates), never on the request path.
/// </summary>
internal static class CanaryAnalyzer
{
    /// <summary>The number of PSI bins before tie-collapsing: deciles of stable's predictions.</summary>
    public const int PsiBinCount = 10;

    /// <summary>Compares <paramref name="canary"/> with <paramref name="stable"/> against <paramref name="thresholds"/>.</summary>
    /// <param name="stable">The stable cohort's window.</param>
    /// <param name="canary">The canary cohort's window, over the same period.</param>
    /// <param name="thresholds">The limits; a null limit skips its check.</param>
    /// <param name="shadow">Shadow comparison numbers for the same period, when a shadow runs; judged against <see cref="AnalysisThresholds.MinShadowAgreement"/>.</param>
    /// <returns>
    /// Wait when either cohort is below <see cref="AnalysisThresholds.MinimumRequests"/> (or below the
    /// minimum data an enabled check needs); otherwise Fail listing every failing check with its numbers,
    /// or Pass.
    /// </returns>
    public static AnalysisOutcome Analyze(CanaryWindow stable, CanaryWindow canary, AnalysisThresholds thresholds, ShadowComparisonSnapshot? shadow = null)
    {
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(thresholds);

        var metrics = ImmutableArray.CreateBuilder<AnalysisMetric>();
        if (InsufficientData(stable, canary, thresholds, shadow) is { } missing)
        {
            // Errors are judged as soon as both cohorts have enough requests, even while other checks
            // wait for data: a canary that fails every request produces no predictions, and waiting for
            // those would keep it in traffic.
            long minimumRequests = Math.Max(1, thresholds.MinimumRequests);
            if (stable.Requests >= minimumRequests && canary.Requests >= minimumRequests)
            {
                CheckErrorRate(stable, canary, thresholds, metrics);
                foreach (AnalysisMetric metric in metrics)
                {
                    if (!metric.Passed)
                    {
                        return AnalysisOutcome.Fail(
                            $"{metric.Description} ({Format($"stable {stable.Requests} requests, canary {canary.Requests} requests")})", metrics.ToImmutable());
                    }
                }
            }

            return AnalysisOutcome.Wait(missing);
        }

        CheckErrorRate(stable, canary, thresholds, metrics);
        CheckLatency(stable, canary, thresholds, metrics);
        CheckPredictions(stable, canary, thresholds, metrics);
        if (shadow is not null && thresholds.MinShadowAgreement is { } minAgreement)
        {
            double agreement = shadow.AgreementRate;
            metrics.Add(new AnalysisMetric("shadow_agreement", double.NaN, double.NaN, agreement, minAgreement, agreement >= minAgreement,
                Format($"shadow agreement {agreement:P2} ({shadow.DecisionFlips} flips in {shadow.ComparedValues} values at threshold {shadow.DecisionThreshold}) {(agreement >= minAgreement ? ">=" : "<")} min {minAgreement:P2}")));
        }

        ImmutableArray<AnalysisMetric> all = metrics.ToImmutable();
        var failing = new StringBuilder();
        var summary = new StringBuilder();
        foreach (AnalysisMetric metric in all)
        {
            StringBuilder target = metric.Passed ? summary : failing;
            if (target.Length > 0)
            {
                target.Append("; ");
            }

            target.Append(metric.Description);
        }

        string requests = Format($"stable {stable.Requests} requests, canary {canary.Requests} requests");
        return failing.Length > 0
            ? AnalysisOutcome.Fail($"{failing} ({requests})", all)
            : AnalysisOutcome.Pass(summary.Length > 0 ? $"{summary} ({requests})" : $"no checks enabled ({requests})", all);
    }

    private static string? InsufficientData(CanaryWindow stable, CanaryWindow canary, AnalysisThresholds t, ShadowComparisonSnapshot? shadow)
    {
        long minimum = Math.Max(1, t.MinimumRequests);
        if (stable.Requests < minimum || canary.Requests < minimum)
        {
            return Format($"need {minimum} requests per cohort, have stable {stable.Requests} and canary {canary.Requests}");
        }

        if (t.MaxLatencyP99Ratio is not null && (!stable.HasLatency || !canary.HasLatency))
        {
            return Format($"no latency data for {(stable.HasLatency ? "canary" : "stable")}");
        }

        if (t.MaxPredictionPsi is not null || t.MaxPredictionKsStatistic is not null || t.MinPredictionKsPValue is not null)
        {
            int minimumPredictions = Math.Max(1, t.MinimumPredictions);
            int stablePredictions = CountValid(stable.Predictions);
            int canaryPredictions = CountValid(canary.Predictions);
            if (stablePredictions < minimumPredictions || canaryPredictions < minimumPredictions)
            {
                return Format($"need {minimumPredictions} prediction values per cohort, have stable {stablePredictions} and canary {canaryPredictions}");
            }
        }

        if (shadow is not null && t.MinShadowAgreement is not null && shadow.ComparedValues < Math.Max(1, t.MinimumShadowComparisons))
        {
            return Format($"need {Math.Max(1, t.MinimumShadowComparisons)} shadow comparisons, have {shadow.ComparedValues}");
        }

        return null;
    }

    private static void CheckErrorRate(CanaryWindow stable, CanaryWindow canary, AnalysisThresholds t, ImmutableArray<AnalysisMetric>.Builder metrics)
    {
        double s = stable.ErrorRate;
        double c = canary.ErrorRate;
        if (t.MaxErrorRateIncrease is { } maxIncrease)
        {
            double increase = c - s;
            bool passed = increase <= maxIncrease;
            metrics.Add(new AnalysisMetric("error_rate_increase", s, c, increase, maxIncrease, passed,
                Format($"error rate canary {c:P2} ({canary.Errors}/{canary.Requests}) - stable {s:P2} ({stable.Errors}/{stable.Requests}) = {increase * 100:0.##} pp {(passed ? "<=" : ">")} max {maxIncrease * 100:0.##} pp")));
        }

        if (t.MaxErrorRateRatio is { } maxRatio && stable.Errors > 0)
        {
            double ratio = c / s;
            bool passed = ratio <= maxRatio;
            metrics.Add(new AnalysisMetric("error_rate_ratio", s, c, ratio, maxRatio, passed,
                Format($"error rate ratio canary {c:P2} / stable {s:P2} = {ratio:0.###} {(passed ? "<=" : ">")} max {maxRatio:0.###}")));
        }
    }

    private static void CheckLatency(CanaryWindow stable, CanaryWindow canary, AnalysisThresholds t, ImmutableArray<AnalysisMetric>.Builder metrics)
    {
        if (t.MaxLatencyP99Ratio is not { } maxRatio)
        {
            return;
        }

        double s = stable.LatencyP99();
        double c = canary.LatencyP99();

        // A stable p99 of 0 (a clock too coarse for the work) makes any canary latency an infinite ratio.
        double ratio = s > 0 ? c / s : (c > 0 ? double.PositiveInfinity : 1.0);
        bool passed = ratio <= maxRatio;
        metrics.Add(new AnalysisMetric("latency_p99_ratio", s, c, ratio, maxRatio, passed,
            Format($"p99 latency canary {c * 1000:0.###} ms / stable {s * 1000:0.###} ms = {ratio:0.###} {(passed ? "<=" : ">")} max {maxRatio:0.###}")));
    }

    private static void CheckPredictions(CanaryWindow stable, CanaryWindow canary, AnalysisThresholds t, ImmutableArray<AnalysisMetric>.Builder metrics)
    {
        bool ks = t.MaxPredictionKsStatistic is not null || t.MinPredictionKsPValue is not null;
        if (t.MaxPredictionPsi is null && !ks)
        {
            return;
        }

        float[] stableSorted = SortedValid(stable.Predictions);
        float[] canarySorted = SortedValid(canary.Predictions);

        if (t.MaxPredictionPsi is { } maxPsi)
        {
            double psi = Psi(stableSorted, canarySorted);
            bool passed = psi <= maxPsi;
            metrics.Add(new AnalysisMetric("prediction_psi", double.NaN, double.NaN, psi, maxPsi, passed,
                Format($"prediction PSI (canary vs stable deciles) {psi:0.####} {(passed ? "<=" : ">")} max {maxPsi:0.####}")));
        }

        if (ks)
        {
            KolmogorovSmirnovResult result = KolmogorovSmirnov.TwoSample(stableSorted, canarySorted);
            if (t.MaxPredictionKsStatistic is { } maxD)
            {
                bool passed = result.Statistic <= maxD;
                metrics.Add(new AnalysisMetric("prediction_ks_statistic", double.NaN, double.NaN, result.Statistic, maxD, passed,
                    Format($"prediction KS D {result.Statistic:0.####} {(passed ? "<=" : ">")} max {maxD:0.####} (p = {result.PValue:G3})")));
            }

            if (t.MinPredictionKsPValue is { } minP)
            {
                bool passed = result.PValue >= minP;
                metrics.Add(new AnalysisMetric("prediction_ks_p_value", double.NaN, double.NaN, result.PValue, minP, passed,
                    Format($"prediction KS p-value {result.PValue:G3} {(passed ? ">=" : "<")} min {minP:G3} (D = {result.Statistic:0.####})")));
            }
        }
    }

    /// <summary>PSI of the canary against bins at the stable sample's deciles (stable is the reference).</summary>
    internal static double Psi(ReadOnlySpan<float> stableSorted, ReadOnlySpan<float> canary)
    {
        var reference = new double[stableSorted.Length];
        for (int i = 0; i < reference.Length; i++)
        {
            reference[i] = stableSorted[i];
        }

        double[] edges = BinEdges.FromQuantiles(reference, PsiBinCount);
        var stableCounts = new long[edges.Length + 1];
        var canaryCounts = new long[edges.Length + 1];
        foreach (double value in reference)
        {
            stableCounts[BinEdges.IndexOf(edges, value)]++;
        }

        foreach (float value in canary)
        {
            canaryCounts[BinEdges.IndexOf(edges, value)]++;
        }

        return PopulationStabilityIndex.Compute(stableCounts, canaryCounts);
    }

    private static int CountValid(ImmutableArray<float> values)
    {
        if (values.IsDefault)
        {
            return 0;
        }

        int count = 0;
        foreach (float value in values)
        {
            count += float.IsNaN(value) ? 0 : 1;
        }

        return count;
    }

    private static float[] SortedValid(ImmutableArray<float> values)
    {
        var sorted = new float[CountValid(values)];
        int n = 0;
        foreach (float value in values)
        {
            if (!float.IsNaN(value))
            {
                sorted[n++] = value;
            }
        }

        Array.Sort(sorted);
        return sorted;
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
