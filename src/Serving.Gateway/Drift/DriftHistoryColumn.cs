using System.Text.Json.Serialization;
using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>
/// One alarm's numbers in one judged window, as persisted and served in <c>history</c>; in a version's
/// <c>columns</c> (the last judged window) with the alarm's state added.
/// </summary>
internal sealed record DriftHistoryColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("test")] string Test,
    [property: JsonPropertyName("psi")] double Psi,
    [property: JsonPropertyName("psi_pvalue")] double PsiPValue,
    [property: JsonPropertyName("ks_statistic")] double KsStatistic,
    [property: JsonPropertyName("ks_pvalue")] double KsPValue,
    [property: JsonPropertyName("ks_pvalue_adjusted")] double KsPValueAdjusted,
    [property: JsonPropertyName("ks_method")] string? KsMethod,
    [property: JsonPropertyName("chi2_pvalue")] double ChiSquarePValue,
    [property: JsonPropertyName("missing_rate")] double MissingRate,
    [property: JsonPropertyName("reference_missing_rate")] double ReferenceMissingRate,
    [property: JsonPropertyName("live_rows")] long LiveRows,
    [property: JsonPropertyName("live_sample")] int LiveSample,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("bin_edges")] IReadOnlyList<double> BinEdges,
    [property: JsonPropertyName("reference_proportions")] IReadOnlyList<double> ReferenceProportions,
    [property: JsonPropertyName("live_proportions")] IReadOnlyList<double> LiveProportions)
{
    /// <summary>The alarm's state (<c>ok</c>, <c>pending</c>, <c>firing</c>, <c>resolved</c>); only in <c>columns</c>.</summary>
    [JsonPropertyName("alarm_state"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AlarmState { get; init; }

    /// <summary>The alarm's severity (worst of its remembered drifting windows); only in <c>columns</c>.</summary>
    [JsonPropertyName("alarm_severity"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AlarmSeverity { get; init; }

    /// <summary>Since when the alarm is in its state (for firing: when it fired); only in <c>columns</c>.</summary>
    [JsonPropertyName("alarm_since"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? AlarmSince { get; init; }

    /// <summary>The ends of the drifting windows behind a pending or firing alarm; only in <c>columns</c>.</summary>
    [JsonPropertyName("alarm_windows"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DateTimeOffset>? AlarmWindows { get; init; }

    /// <summary>
    /// The column's result. <c>ks_pvalue</c> is the KS p-value (NaN for chi-square and missing-rate
    /// alarms, whose raw p is <c>chi2_pvalue</c>); <c>ks_pvalue_adjusted</c> is the adjusted p-value of the
    /// alarm's own test, whichever it is.
    /// </summary>
    public static DriftHistoryColumn From(DriftColumnResult c) => new(
        c.Name,
        DriftNames.Kind(c.Kind),
        DriftNames.Test(c.Test),
        c.Psi,
        c.PsiPValue,
        c.KsStatistic,
        c.Test == DriftTest.KolmogorovSmirnov ? c.PValue : double.NaN,
        c.AdjustedPValue,
        c.KsMethod is { } method ? (method == KolmogorovSmirnovMethod.Exact ? "exact" : "asymptotic") : null,
        c.ChiSquarePValue,
        c.MissingRate,
        c.ReferenceMissingRate,
        c.LiveCount,
        c.LiveSampleCount,
        DriftNames.Verdict(c.Verdict),
        DriftNames.Severity(c.Severity),
        c.BinEdges,
        c.ReferenceProportions,
        c.LiveProportions);
}
